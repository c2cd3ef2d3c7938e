using System.Buffers.Binary;

namespace Erofs.Accel.Core.Storage;

/// <summary>
/// The primary image and its extra devices (blobs, tar files), with the device table and the unified address space.
/// Every physical read of the reader goes through <see cref="ReadExact"/>, which checks bounds.
/// </summary>
internal sealed class DeviceSet : IDisposable
{
    private readonly IRandomAccessSource?[] _extras;
    private readonly bool _ownsSources;
    private readonly int _blockBits;

    public IRandomAccessSource Primary { get; }

    /// <summary>
    /// The primary device as the metadata reader reads it: a second descriptor of the same file where the source can
    /// open one (<see cref="FileSource.TryOpenSecondDescriptor"/>), else <see cref="Primary"/> itself. Inodes and
    /// directories are read in one stream and file data in another; through one descriptor the kernel's readahead
    /// sees neither as sequential.
    /// </summary>
    public IRandomAccessSource MetadataSource { get; }

    private readonly FileSource? _metadataDescriptor;
    public IReadOnlyList<DeviceSlot> Slots { get; }
    public int DeviceIdMask { get; }

    public DeviceSet(Superblock sb, IRandomAccessSource primary, IReadOnlyList<IRandomAccessSource> extras, bool ownsSources)
    {
        Primary = primary;
        _ownsSources = ownsSources;
        _metadataDescriptor = (primary as FileSource)?.TryOpenSecondDescriptor();
        MetadataSource = _metadataDescriptor ?? primary;
        _blockBits = sb.BlockSizeBits;
        var slots = new DeviceSlot[sb.ExtraDevices];
        if (slots.Length > 0)
        {
            long tableStart = (long)sb.DeviceTableSlotOffset * ErofsConstants.DeviceSlotSize;
            var raw = new byte[ErofsConstants.DeviceSlotSize];
            for (int i = 0; i < slots.Length; i++)
            {
                long at = tableStart + (long)i * ErofsConstants.DeviceSlotSize;
                if (primary.Read(at, raw) != raw.Length)
                    throw new ErofsCorruptImageException($"device table slot {i} lies outside the image", at);
                slots[i] = DeviceSlot.Parse(raw, sb.Is48Bit);
            }
        }
        Slots = slots;
        if (extras.Count > slots.Length)
            throw new ErofsIoException($"{extras.Count} extra device(s) given but the image's device table has {slots.Length}");
        _extras = new IRandomAccessSource?[slots.Length];
        for (int i = 0; i < extras.Count; i++) _extras[i] = extras[i];
        // mask = next power of two of (extra_devices + 1), minus 1
        int n = slots.Length + 1;
        int p = 1;
        while (p < n) p <<= 1;
        DeviceIdMask = slots.Length == 0 ? 0 : p - 1;
    }

    /// <summary>True when extra device <paramref name="id"/> (1-based) was supplied by the caller.</summary>
    public bool HasDevice(int id) => id == 0 || (id >= 1 && id <= _extras.Length && _extras[id - 1] is not null);

    /// <summary>Extra device <paramref name="id"/> (1-based) as supplied by the caller, or null.</summary>
    public IRandomAccessSource? ExtraDevice(int id) => id >= 1 && id <= _extras.Length ? _extras[id - 1] : null;

    public int BlockSizeBits => _blockBits;

    /// <summary>Maps a device-0 address through the unified address space to (device, offset).</summary>
    public (int Device, long Offset) MapUnified(long pa)
    {
        long bs = 1L << _blockBits;
        for (int i = 0; i < Slots.Count; i++)
        {
            var s = Slots[i];
            if (s.UnifiedStartBlock == 0) continue;
            long start = (long)s.UnifiedStartBlock * bs;
            long len = (long)s.Blocks * bs;
            if (pa >= start && pa - start < len) return (i + 1, pa - start);
        }
        return (0, pa);
    }

    /// <summary>
    /// Reads exactly <c>dest.Length</c> bytes at byte offset <paramref name="pa"/> of device <paramref name="device"/>
    /// (0 = primary, subject to unified addressing).
    /// </summary>
    public void ReadExact(int device, long pa, Span<byte> dest, ulong? nid = null)
    {
        if (pa < 0 || pa > long.MaxValue - dest.Length)
            throw new ErofsCorruptImageException($"physical address {pa} out of range", pa, nid);
        if (device == 0 && Slots.Count > 0) (device, pa) = MapUnified(pa);
        IRandomAccessSource src;
        if (device == 0) src = Primary;
        else if (device > _extras.Length)
            throw new ErofsCorruptImageException($"data refers to device {device} but the image has {_extras.Length} extra device(s)", pa, nid);
        else
            src = _extras[device - 1] ?? throw new ErofsIoException(
                $"data lives on extra device {device}{DescribeTag(device)} which was not given (pass it with --device, in device-table order)", pa);
        if (dest.IsEmpty) return;
        if (pa + dest.Length > src.Length)
            throw new ErofsCorruptImageException(
                $"read of {dest.Length} bytes at {pa} runs past the end of {(device == 0 ? "the image" : $"device {device}")} ({src.Length} bytes; truncated?)", pa, nid);
        int n = src.Read(pa, dest);
        if (n != dest.Length)
            throw new ErofsIoException($"{src.Description}: short read ({n} of {dest.Length} bytes)", pa);
    }

    private string DescribeTag(int device)
    {
        var tag = Slots[device - 1].TagText;
        return tag.Length == 0 ? "" : $" (tag {tag})";
    }

    public void Dispose()
    {
        _metadataDescriptor?.Dispose(); // opened here, whoever owns the rest
        if (!_ownsSources) return;
        Primary.Dispose();
        foreach (var e in _extras) e?.Dispose();
    }

}
