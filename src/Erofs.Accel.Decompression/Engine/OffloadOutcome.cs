namespace Erofs.Accel.Decompression.Engine;

/// <summary>How an offloaded request ended from the accelerator's side.</summary>
internal enum OffloadKind : byte
{
    /// <summary>The accelerator produced exactly OutputLength bytes, already copied to the destination.</summary>
    Done,

    /// <summary>The destination was not touched; the engine must decode in software (see the reason).</summary>
    Fallback,

    /// <summary>The caller cancelled; the destination was not touched.</summary>
    Cancelled,
}

internal readonly record struct OffloadOutcome(OffloadKind Kind, FallbackReason Reason)
{
    public static readonly OffloadOutcome Done = new(OffloadKind.Done, FallbackReason.None);
    public static readonly OffloadOutcome Cancelled = new(OffloadKind.Cancelled, FallbackReason.None);
    public static OffloadOutcome FallBack(FallbackReason reason) => new(OffloadKind.Fallback, reason);

    /// <summary>Reads a backend's answer; Done counts only with exactly the expected number of bytes.</summary>
    public static OffloadOutcome FromDecode(DecodeStatus status, int written, int expected) => status switch
    {
        DecodeStatus.Done when written == expected => Done,
        DecodeStatus.Done or DecodeStatus.WrongLength => FallBack(FallbackReason.WrongLength),
        DecodeStatus.CorruptData => FallBack(FallbackReason.CorruptReportedByBackend),
        DecodeStatus.Unsupported => FallBack(FallbackReason.Unsupported),
        DecodeStatus.TimedOut => FallBack(FallbackReason.TimedOut),
        _ => FallBack(FallbackReason.BackendFailed),
    };
}
