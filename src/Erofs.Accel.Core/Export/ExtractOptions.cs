using Erofs.Accel.Interop;

namespace Erofs.Accel.Core.Export;

/// <summary>
/// How <see cref="ErofsExtraction.ExtractToDirectory"/> writes a tree. The defaults are safe for the user who runs
/// it, in the manner of GNU tar: a normal user gets files owned by them with their umask applied and no
/// setuid/setgid/sticky bits; root gets the image's owners and permission bits, but neither setuid/setgid bits, nor
/// device nodes, nor security.* xattrs (file capabilities, security labels) unless asked for. The destination
/// directory itself is never changed (owner, mode, times and xattrs stay its own).
/// </summary>
public sealed class ExtractOptions
{
    private static readonly bool IsRoot = Libc.GetEffectiveUserId() == 0;

    /// <summary>
    /// Paths inside the image to extract (a subtree or single nodes, "/" for everything), each written at its own path
    /// under the destination with its parent directories. Null or empty: the whole image.
    /// </summary>
    public IReadOnlyList<string>? Paths { get; init; }

    /// <summary>
    /// Extract into a non-empty directory, replacing non-directories that are in the way (directories are merged,
    /// never removed). Without it a non-empty destination is refused.
    /// </summary>
    public bool Overwrite { get; init; }

    /// <summary>Give files the image's owners (like tar --same-owner). Default: when running as root.</summary>
    public bool RestoreOwners { get; init; } = IsRoot;

    /// <summary>
    /// Give files their read/write/execute bits minus the process umask, without setuid, setgid and sticky bits,
    /// and skip POSIX ACLs, which would grant what the umask denies (like tar --no-same-permissions). When false,
    /// the image's permission bits are applied as they are (sticky included). Default: when not running as root.
    /// </summary>
    public bool ApplyUmask { get; init; } = !IsRoot;

    /// <summary>
    /// Restore setuid and setgid bits. Even then a bit is kept only where the file's owner (group) is the image's,
    /// so a setuid file never ends up owned by someone the image did not name. Default: false.
    /// </summary>
    public bool RestoreSetuidSetgid { get; init; }

    /// <summary>Create character and block device nodes (they are skipped and counted otherwise). Default: false.</summary>
    public bool CreateDevices { get; init; }

    /// <summary>Which xattrs (POSIX ACLs included) to restore. Default: <see cref="XattrFilter.Default"/> (all but security.*).</summary>
    public XattrFilter Xattrs { get; init; } = XattrFilter.Default;

    /// <summary>Give files the image's modification times (otherwise they keep the time of extraction). Default: true.</summary>
    public bool RestoreTimes { get; init; } = true;

    /// <summary>Bounds on file sizes and time (<see cref="ScanLimits.Default"/>).</summary>
    public ScanLimits Limits { get; init; } = ScanLimits.Default;

    /// <summary>
    /// Files whose contents are read, decoded and written at the same time (the tree itself is walked in one thread).
    /// Default: one per processor, at most 8; 1 writes each file before moving on.
    /// </summary>
    public int FileWriters { get; init; } = Math.Clamp(Environment.ProcessorCount, 1, 8);

    /// <summary>Receives one line per kind of problem that did not stop the extraction (a permission, an xattr).</summary>
    public Action<string>? Warning { get; init; }

    /// <summary>Everything the image records: owners, exact permissions with setuid/setgid, devices, every xattr.</summary>
    public static ExtractOptions Everything(bool overwrite = false) => new()
    {
        Overwrite = overwrite,
        RestoreOwners = true,
        ApplyUmask = false,
        RestoreSetuidSetgid = true,
        CreateDevices = true,
        Xattrs = XattrFilter.All,
    };
}

/// <summary>What an extraction created, and what its options left out.</summary>
public sealed class ExtractSummary
{
    /// <summary>Directories created (the destination itself excluded).</summary>
    public long Directories { get; internal set; }
    /// <summary>Regular files written (each hardlink group once).</summary>
    public long Files { get; internal set; }
    /// <summary>Symbolic links created.</summary>
    public long Symlinks { get; internal set; }
    /// <summary>Extra names of hardlinked files, made as hard links to the first one written.</summary>
    public long Hardlinks { get; internal set; }
    /// <summary>FIFOs, sockets and device nodes created.</summary>
    public long SpecialFiles { get; internal set; }
    /// <summary>Declared bytes of the files written (holes included).</summary>
    public long Bytes { get; internal set; }
    /// <summary>Problems reported through <see cref="ExtractOptions.Warning"/> that did not stop the extraction.</summary>
    public long Warnings { get; internal set; }
    /// <summary>Device nodes not created (<see cref="ExtractOptions.CreateDevices"/> is off).</summary>
    public long SkippedDevices { get; internal set; }
    /// <summary>Nodes whose setuid or setgid bit was not restored.</summary>
    public long DroppedSetuidSetgid { get; internal set; }
    /// <summary>Xattrs left out by <see cref="ExtractOptions.Xattrs"/> (or, with the umask applied, POSIX ACLs).</summary>
    public long SkippedXattrs { get; internal set; }
}

/// <summary>How far an extraction has come; reported a few times a second and once at the end.</summary>
public readonly record struct ExtractProgress(long Entries, long Files, long Bytes, string CurrentPath);

/// <summary>Why an extraction refused to start or to write a node.</summary>
public enum ExtractionRefusal
{
    /// <summary>The destination directory is not empty and <see cref="ExtractOptions.Overwrite"/> is off.</summary>
    DestinationNotEmpty,
    /// <summary>The destination is the root directory, which is never extracted into.</summary>
    DestinationIsRootDirectory,
    /// <summary>Something is already where a node goes and <see cref="ExtractOptions.Overwrite"/> is off.</summary>
    EntryExists,
}

/// <summary>An extraction refused to write where it was asked to; nothing the user owns was changed by it.</summary>
public sealed class ExtractionRefusedException : IOException
{
    /// <summary>Why the extraction refused.</summary>
    public ExtractionRefusal Refusal { get; }

    /// <summary>An extraction refusal of kind <paramref name="refusal"/>, with a one-line message naming the path.</summary>
    public ExtractionRefusedException(ExtractionRefusal refusal, string message) : base(message) => Refusal = refusal;
}
