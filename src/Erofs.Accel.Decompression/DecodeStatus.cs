namespace Erofs.Accel.Decompression;

/// <summary>Outcome of one decode attempt by one backend.</summary>
public enum DecodeStatus
{
    /// <summary>Exactly <see cref="DecodeParameters.OutputLength"/> bytes were written.</summary>
    Done = 0,

    /// <summary>The input is not a valid stream for these parameters (malformed, truncated, wrong length).</summary>
    CorruptData,

    /// <summary>This backend cannot take this request (algorithm, window, size, partial decoding).</summary>
    Unsupported,

    /// <summary>The backend failed for a reason unrelated to the data (device error, resource exhaustion).</summary>
    BackendFailure,

    /// <summary>The backend did not answer within its deadline.</summary>
    TimedOut,

    /// <summary>The backend reported success but produced a different number of bytes than asked for.</summary>
    WrongLength,

    /// <summary>The request was cancelled by the caller.</summary>
    Cancelled,
}
