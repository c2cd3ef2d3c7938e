namespace Erofs.Accel.Decompression.Backends.Qpl;

/// <summary>Names of the qpl_status codes (qpl/c_api/status.h) that matter for decompression, for messages.</summary>
internal static class QplStatusNames
{
    public static string Name(int status) => status switch
    {
        0 => "QPL_STS_OK",
        1 => "QPL_STS_BEING_PROCESSED",
        2 => "QPL_STS_MORE_OUTPUT_NEEDED",
        3 => "QPL_STS_MORE_INPUT_NEEDED",
        5 => "QPL_STS_QUEUES_ARE_BUSY_ERR",
        6 => "QPL_STS_LIBRARY_INTERNAL_ERR",
        8 => "QPL_STS_NOT_SUPPORTED_BY_WQ",
        50 => "QPL_STS_NULL_PTR_ERR",
        54 => "QPL_STS_PATH_ERR",
        55 => "QPL_STS_INVALID_PARAM_ERR",
        57 => "QPL_STS_SIZE_ERR",
        58 => "QPL_STS_BUFFER_TOO_LARGE_ERR",
        101 => "QPL_STS_NO_MEM_ERR",
        219 => "QPL_STS_TIMEOUT_ERR",
        225 => "QPL_STS_DST_IS_SHORT_ERR",
        232 => "QPL_STS_SRC_IS_SHORT_ERR",
        500 => "QPL_STS_INIT_HW_NOT_SUPPORTED (no IAA support on this machine)",
        501 => "QPL_STS_INIT_LIBACCEL_NOT_FOUND (libaccel-config missing)",
        502 => "QPL_STS_INIT_LIBACCEL_ERROR",
        503 => "QPL_STS_INIT_WORK_QUEUES_NOT_AVAILABLE (no enabled IAA work queue, or no permission)",
        >= 200 and < 300 => $"qpl_status {status} (DEFLATE stream error)",
        >= 300 and < 500 => $"qpl_status {status} (device status)",
        _ => $"qpl_status {status}",
    };
}
