namespace Erofs.Accel.Core.Export;

/// <summary>
/// Bounds on the work one pass over an image's files may do (a manifest, an extraction), so that an image whose files
/// declare huge sizes (a few KiB of sparse chunk table can declare 2^50 bytes) cannot keep a scanner busy for days.
/// Sizes are declared sizes (i_size); each inode counts once however many hardlinks name it. 0 (or a null timeout)
/// means no limit.
/// </summary>
public sealed record ScanLimits
{
    /// <summary>Default per-file limit: 64 GiB, far above the files of container and OS images.</summary>
    public const long DefaultMaxFileBytes = 64L << 30;

    /// <summary>Default limit on all files together: 256 GiB (a few minutes of hashing zeros at SHA-NI speed).</summary>
    public const long DefaultMaxTotalBytes = 256L << 30;

    /// <summary>Largest declared size of one regular file; larger ones stop the pass before any byte is read.</summary>
    public long MaxFileBytes { get; init; } = DefaultMaxFileBytes;

    /// <summary>Largest sum of the declared sizes of the regular files the pass reads.</summary>
    public long MaxTotalBytes { get; init; } = DefaultMaxTotalBytes;

    /// <summary>Longest wall-clock time the pass may take; null for no limit (the default: the byte limits bound it).</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>The defaults: 64 GiB per file, 256 GiB in all, no time limit.</summary>
    public static ScanLimits Default { get; } = new();

    /// <summary>No limit at all.</summary>
    public static ScanLimits None { get; } = new() { MaxFileBytes = 0, MaxTotalBytes = 0 };
}

/// <summary>Which <see cref="ScanLimits"/> bound was reached.</summary>
public enum ScanLimit
{
    /// <summary><see cref="ScanLimits.MaxFileBytes"/>.</summary>
    FileBytes,
    /// <summary><see cref="ScanLimits.MaxTotalBytes"/>.</summary>
    TotalBytes,
    /// <summary><see cref="ScanLimits.Timeout"/>.</summary>
    Time,
}

/// <summary>A pass stopped because it reached one of its <see cref="ScanLimits"/>; names the file it was at.</summary>
public sealed class ScanLimitExceededException : IOException
{
    /// <summary>Which limit was exceeded.</summary>
    public ScanLimit Limit { get; }

    /// <summary>The file (escaped path) being read when the limit was reached.</summary>
    public string Path { get; }

    /// <summary>What happened, without naming the setting that bounds it (callers name it their own way).</summary>
    public string Reason { get; }

    /// <summary>A limit exceeded at <paramref name="path"/>; <paramref name="reason"/> says by how much.</summary>
    public ScanLimitExceededException(ScanLimit limit, string path, string reason)
        : base($"{path}: {reason} ({nameof(ScanLimits)}.{SettingName(limit)})")
    {
        Limit = limit;
        Path = path;
        Reason = reason;
    }

    private static string SettingName(ScanLimit limit) => limit switch
    {
        ScanLimit.FileBytes => nameof(ScanLimits.MaxFileBytes),
        ScanLimit.TotalBytes => nameof(ScanLimits.MaxTotalBytes),
        _ => nameof(ScanLimits.Timeout),
    };
}

/// <summary>
/// Applies <see cref="ScanLimits"/> to one pass: counts declared bytes (each inode once) and turns the timeout into a
/// cancellation token linked with the caller's. Thread-safe.
/// </summary>
internal sealed class ScanBudget : IDisposable
{
    private readonly ScanLimits _limits;
    private readonly CancellationToken _caller;
    private readonly CancellationTokenSource? _linked;
    private long _total;

    public ScanBudget(ScanLimits limits, CancellationToken cancellationToken)
    {
        _limits = limits;
        _caller = cancellationToken;
        if (limits.Timeout is { } t)
        {
            _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _linked.CancelAfter(t);
        }
        Token = _linked?.Token ?? cancellationToken;
    }

    /// <summary>Cancelled by the caller or when the time limit passes.</summary>
    public CancellationToken Token { get; }

    /// <summary>The caller cancelled or time ran out: call <see cref="ThrowStopped"/>.</summary>
    public bool Stopped => Token.IsCancellationRequested;

    /// <summary>Throws why the pass must stop: the caller cancelled (OperationCanceledException) or time ran out.</summary>
    public void ThrowStopped(string path)
    {
        _caller.ThrowIfCancellationRequested();
        throw new ScanLimitExceededException(ScanLimit.Time, path, $"time limit of {_limits.Timeout!.Value.TotalSeconds:0.###} s reached");
    }

    /// <summary>Checks one file's declared size against the per-file limit.</summary>
    public void CheckFile(string path, long size)
    {
        if (_limits.MaxFileBytes > 0 && size > _limits.MaxFileBytes)
            throw new ScanLimitExceededException(ScanLimit.FileBytes, path, $"declared size of {size} bytes exceeds the limit of {_limits.MaxFileBytes} bytes per file");
    }

    /// <summary>Adds one file (counted once per inode by the caller) to the total.</summary>
    public void Charge(string path, long size)
    {
        long total = Interlocked.Add(ref _total, size);
        if (_limits.MaxTotalBytes > 0 && total > _limits.MaxTotalBytes)
            throw new ScanLimitExceededException(ScanLimit.TotalBytes, path, $"files read so far declare {total} bytes, over the limit of {_limits.MaxTotalBytes} bytes in all");
    }

    public void Dispose() => _linked?.Dispose();
}
