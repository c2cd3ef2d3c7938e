using Erofs.Accel.Core.Caching;
using Erofs.Accel.Decompression;

namespace Erofs.Accel.Core.Data;

/// <summary>Where the bytes of one <see cref="ReadStep"/> come from.</summary>
internal enum ReadStepKind : byte
{
    /// <summary>A hole: zeros.</summary>
    Zeros,
    /// <summary>Stored as they are on a device: <see cref="ReadStep.Device"/>, byte <see cref="ReadStep.Address"/>.</summary>
    Device,
    /// <summary>Stored inline in the metadata (flat inline tails, uncompressed inline pclusters).</summary>
    Metadata,
    /// <summary>Stored uncompressed and rotated within one block (<see cref="ExtentKind.Interlaced"/>).</summary>
    Interlaced,
    /// <summary>Bytes of the packed inode, from <see cref="ReadStep.Address"/> on.</summary>
    Fragment,
    /// <summary>Part of a compressed extent: from the decoded-pcluster cache, or decoded now.</summary>
    Compressed,
}

/// <summary>
/// One piece of a read plan (the shape of erofs-utils' lib/data.c: map the range, then read raw or decode, then
/// fill): <see cref="Length"/> bytes of the read, starting <see cref="Within"/> bytes into their source.
/// </summary>
internal struct ReadStep
{
    public ReadStepKind Kind;

    /// <summary>Bytes of the read this step fills.</summary>
    public int Length;

    /// <summary>Offset of the step's first byte inside its source (the extent's decoded bytes, the fragment, the run).</summary>
    public long Within;

    /// <summary>Device id (<see cref="ReadStepKind.Device"/>).</summary>
    public int Device;

    /// <summary>Byte address on the device, metadata position, or packed-inode offset of the source's start.</summary>
    public long Address;

    /// <summary>Metadata lives in the metabox (<see cref="ReadStepKind.Metadata"/>).</summary>
    public bool InMetabox;

    /// <summary>The mapped extent (<see cref="ReadStepKind.Compressed"/>, <see cref="ReadStepKind.Interlaced"/>).</summary>
    public Extent Extent;

    /// <summary>Compressed: the extent lies wholly inside a large read and is decoded straight into the read's buffer.</summary>
    public bool InPlace;

    /// <summary>
    /// Compressed: its decoded pcluster once found in the cache or decoded, with a reference this read holds until
    /// the window is done (or hands to the target with a shared piece).
    /// </summary>
    public DecodedPcluster? Decoded;

    /// <summary>Compressed, not yet resolved: how to decode its stream.</summary>
    public DecodeParameters Parameters;

    /// <summary>Compressed, not yet resolved: where its compressed stream starts in the window's raw buffer, and its length.</summary>
    public int RawOffset, RawLength;

    /// <summary>Where the step's bytes go in the window's buffer; -1 when they are handed over as a shared piece.</summary>
    public int BufferOffset;
}
