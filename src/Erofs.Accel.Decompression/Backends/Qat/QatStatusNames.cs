namespace Erofs.Accel.Decompression.Backends.Qat;

/// <summary>Names of QATzip return codes (qatzip.h), for messages.</summary>
internal static class QatStatusNames
{
    public static string Name(int status) => status switch
    {
        0 => "QZ_OK",
        1 => "QZ_DUPLICATE",
        2 => "QZ_FORCE_SW",
        -1 => "QZ_PARAMS",
        -2 => "QZ_FAIL",
        -3 => "QZ_BUF_ERROR",
        -4 => "QZ_DATA_ERROR",
        -5 => "QZ_TIMEOUT",
        -100 => "QZ_INTEG",
        11 => "QZ_NO_HW (no QAT device)",
        12 => "QZ_NO_MDRV (no QAT memory driver)",
        13 => "QZ_NO_INST_ATTACH (no QAT instance)",
        14 => "QZ_LOW_MEM",
        15 => "QZ_LOW_DEST_MEM",
        16 => "QZ_UNSUPPORTED_FMT",
        100 => "QZ_NONE",
        -101 => "QZ_NOSW_NO_HW (no QAT device)",
        -102 => "QZ_NOSW_NO_MDRV (no QAT memory driver)",
        -103 => "QZ_NOSW_NO_INST_ATTACH (no QAT instance)",
        -104 => "QZ_NOSW_LOW_MEM",
        -105 => "QZ_NO_SW_AVAIL",
        -116 => "QZ_NOSW_UNSUPPORTED_FMT",
        -200 => "QZ_NOT_SUPPORTED",
        _ => $"QATzip status {status}",
    };
}
