namespace Erofs.Accel.Decompression.OpenCl;

/// <summary>An OpenCL call returned an error code.</summary>
public sealed class OpenClException : Exception
{
    /// <summary>The cl_int error code (negative).</summary>
    public int ErrorCode { get; }

    /// <summary>The OpenCL function that failed.</summary>
    public string Call { get; }

    /// <summary>A failure of the OpenCL function <paramref name="call"/> with <paramref name="errorCode"/>; <paramref name="detail"/> adds context.</summary>
    public OpenClException(string call, int errorCode, string? detail = null)
        : base($"{call} failed with OpenCL error {errorCode} ({OpenClErrorNames.Describe(errorCode)})" + (detail is null ? "" : ": " + detail))
    {
        Call = call;
        ErrorCode = errorCode;
    }
}
