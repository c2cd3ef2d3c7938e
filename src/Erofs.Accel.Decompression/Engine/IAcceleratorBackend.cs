namespace Erofs.Accel.Decompression.Engine;

/// <summary>
/// Extra facts an accelerator backend gives the engine and the <c>backends</c> command, beyond
/// <see cref="IDecompressionBackend"/>. Optional: the engine treats any <see cref="IDecompressionBackend"/> with
/// <see cref="BackendKind.Accelerator"/> as an accelerator.
/// </summary>
public interface IAcceleratorBackend : IDecompressionBackend
{
    /// <summary>Execution path in use ("hardware", "software"), or null when the backend has no such choice.</summary>
    string? PathInUse { get; }

    /// <summary>One line on what the backend takes, e.g. "deflate, windowbits &lt;= 12, full decodes, &lt;= 8 MiB".</summary>
    string Capabilities { get; }

    /// <summary>How many decodes may run at once (the engine starts this many workers).</summary>
    int MaxConcurrency { get; }

    /// <summary>
    /// Whether the backend would take this request if it were available (algorithm, window, size, partial decoding).
    /// Lets the engine tell "unavailable" fallbacks apart from requests the backend never takes.
    /// </summary>
    bool Accepts(in DecodeParameters parameters, int sourceLength);
}
