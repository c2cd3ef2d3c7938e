namespace Erofs.Accel.Decompression.Engine.Native;

/// <summary>Status codes of the native shims (interop/common/erofs_accel_status.h). Never renumber.</summary>
internal static class ShimStatus
{
    public const int Ok = 0;
    public const int Pending = 1;
    public const int InvalidArgument = -1;
    public const int CorruptData = -2;
    public const int WrongLength = -3;
    public const int OutputOverflow = -4;
    public const int Busy = -5;
    public const int BackendFailure = -6;
    public const int InitFailed = -7;
    public const int NoHardware = -8;
    public const int Unsupported = -9;
    public const int Timeout = -10;
    public const int NoMemory = -11;
    public const int InvalidState = -12;

    public const int PathHardware = 1;
    public const int PathSoftware = 2;

    public const uint FlagPartial = 0x1;

    /// <summary>Short name of a shim status, for messages.</summary>
    public static string Name(int status) => status switch
    {
        Ok => "ok",
        Pending => "pending",
        InvalidArgument => "invalid argument",
        CorruptData => "corrupt data",
        WrongLength => "wrong length",
        OutputOverflow => "output overflow",
        Busy => "busy",
        BackendFailure => "backend failure",
        InitFailed => "initialisation failed",
        NoHardware => "no hardware",
        Unsupported => "unsupported",
        Timeout => "timeout",
        NoMemory => "out of memory",
        InvalidState => "invalid state",
        _ => $"status {status}",
    };

    /// <summary>
    /// How the engine should read a shim verdict. Corrupt data and overflow are only the accelerator's opinion: the
    /// engine confirms them in software.
    /// </summary>
    public static DecodeStatus ToDecodeStatus(int status) => status switch
    {
        Ok => DecodeStatus.Done,
        CorruptData or OutputOverflow => DecodeStatus.CorruptData,
        WrongLength => DecodeStatus.WrongLength,
        Timeout => DecodeStatus.TimedOut,
        Unsupported or InvalidArgument => DecodeStatus.Unsupported,
        _ => DecodeStatus.BackendFailure,
    };

    public static string PathName(int path) => path switch
    {
        PathHardware => "hardware",
        PathSoftware => "software",
        _ => "none",
    };
}
