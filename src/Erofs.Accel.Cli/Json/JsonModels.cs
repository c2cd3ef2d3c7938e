namespace Erofs.Accel.Cli.Json;

// The documents --json prints. Field names are snake_case, stable and documented in docs/cli-json.md: add fields,
// never rename or remove them. Absent values are left out (not null). Paths, names, symlink targets and xattr names
// are escaped as in the manifest format (bytes that are not UTF-8 or are control characters become \xHH).

/// <summary><c>info --json</c>.</summary>
internal sealed record InfoDocument(
    string Image,
    int BlockSize,
    ulong Blocks,
    ulong Inodes,
    string RootNid,
    string Uuid,
    string? VolumeName,
    DateTimeOffset BuildTime,
    ChecksumDocument? Checksum,
    IReadOnlyList<string> CompatFeatures,
    IReadOnlyList<string> IncompatFeatures,
    IReadOnlyList<CompressionDocument> Compression,
    string? PackedNid,
    string? MetaboxNid,
    int? LongXattrPrefixes,
    IReadOnlyList<DeviceDocument> Devices,
    StatisticsDocument? Statistics);

internal sealed record ChecksumDocument(string Algorithm, string Value, bool Verified);

/// <summary>One algorithm the image declares, with the parameters that apply to it.</summary>
internal sealed record CompressionDocument(string Algorithm, int? MaxDistance = null, int? MaxPclusterBlocks = null,
    int? DictionarySize = null, int? WindowBits = null, int? WindowLog = null, int? RecordedWindowBits = null);

internal sealed record DeviceDocument(int Id, ulong Blocks, ulong UnifiedStartBlock, string? Tag);

/// <summary><c>info -S --json</c>: statistics of the tree (from metadata only).</summary>
internal sealed record StatisticsDocument(
    IReadOnlyDictionary<string, long> InodesByType,
    long Paths,
    long RegularFiles,
    long CompressedFiles,
    long FileBytes,
    long FileBytesInHoles,
    long FileBytesStored,
    long FileBytesInline,
    long FileBytesInFragments,
    long FileBytesCompressed,
    long Pclusters,
    long PclusterStoredBytes,
    long PclusterDecodedBytes,
    double CompressionRatio,
    IReadOnlyList<AlgorithmDocument> Algorithms);

internal sealed record AlgorithmDocument(string Algorithm, long Pclusters, long StoredBytes, long DecodedBytes, double Ratio,
    IReadOnlyList<BucketDocument> PclusterSizes);

/// <summary>Pclusters whose stored size is at most <see cref="MaxBytes"/> and more than half of it.</summary>
internal sealed record BucketDocument(long MaxBytes, long Count);

/// <summary><c>ls --json</c> (and <c>ls -R --json</c>).</summary>
internal sealed record ListingDocument(string Image, string Path, bool Recursive, IReadOnlyList<EntryDocument> Entries);

/// <summary>One inode as ls and stat show it.</summary>
internal sealed record EntryDocument(
    string? Path,
    string? Name,
    string Nid,
    string Type,
    string Mode,
    uint Uid,
    uint Gid,
    ulong Size,
    uint Links,
    long Mtime,
    uint MtimeNanoseconds,
    string? Target = null,
    string? Rdev = null);

/// <summary><c>stat --json</c>.</summary>
internal sealed record StatDocument(
    EntryDocument Inode,
    string InodeFormat,
    string Layout,
    ulong OnDiskBytes,
    IReadOnlyList<XattrDocument> Xattrs,
    IReadOnlyList<ExtentDocument>? Extents);

/// <summary>An xattr: escaped name, value as hex, and as text when it is printable ASCII.</summary>
internal sealed record XattrDocument(string Name, string ValueHex, string? ValueText);

/// <summary>One extent of a file (stat --extents).</summary>
internal sealed record ExtentDocument(
    long LogicalStart,
    long Length,
    string Kind,
    int Device,
    long PhysicalAddress,
    long PhysicalLength,
    bool Inline,
    string? Algorithm = null,
    bool? PartialReference = null,
    long? FragmentOffset = null);

/// <summary><c>backends --json</c>.</summary>
internal sealed record BackendsDocument(string Policy, string PolicySource, IReadOnlyList<BackendDocument> Backends);

internal sealed record BackendDocument(
    string Name,
    string Role,
    bool Available,
    string Detail,
    IReadOnlyList<string> Algorithms,
    string Takes,
    string? Path,
    bool UsedByPolicy,
    string Breaker);

/// <summary><c>verify --json</c>.</summary>
internal sealed record VerifyDocument(
    string Image,
    bool Clean,
    string SuperblockChecksum,
    IReadOnlyList<ProblemDocument> Problems,
    long OmittedProblems,
    IReadOnlyList<string> Notes,
    long Inodes,
    long Directories,
    long DirectoryEntries,
    long Extents,
    long PclustersDecoded,
    long FingerprintsChecked,
    long FingerprintsNotChecked);

internal sealed record ProblemDocument(string Path, string? Nid, long? FileOffset, string Reason);
