/*
 * Status codes, path ids and flags shared by the erofs-accel native shims (interop/qpl, interop/qat).
 * These numbers are part of the shims' stable ABI: the C# side (Interop/Qpl, Interop/Qat) mirrors them.
 * Never renumber; only append.
 */
#ifndef EROFS_ACCEL_STATUS_H
#define EROFS_ACCEL_STATUS_H

#include <stdint.h>

#if defined(__GNUC__)
#define EROFS_ACCEL_EXPORT __attribute__((visibility("default")))
#else
#define EROFS_ACCEL_EXPORT
#endif

/* Status of a shim call. 0 = success, 1 = still running, negative = failure. */
#define EROFS_ACCEL_OK                 0
#define EROFS_ACCEL_PENDING            1   /* submitted job has not finished yet (poll again) */
#define EROFS_ACCEL_E_INVALID_ARGUMENT (-1) /* null pointer, zero length, buffer smaller than the expected output */
#define EROFS_ACCEL_E_CORRUPT_DATA     (-2) /* the library rejected the stream (malformed or truncated) */
#define EROFS_ACCEL_E_WRONG_LENGTH     (-3) /* the library reported success but produced another number of bytes */
#define EROFS_ACCEL_E_OUTPUT_OVERFLOW  (-4) /* the stream decodes to more bytes than expected (full decodes only) */
#define EROFS_ACCEL_E_BUSY             (-5) /* every pooled job is in use, or the device queues are full */
#define EROFS_ACCEL_E_BACKEND_FAILURE  (-6) /* device or library failure unrelated to the data */
#define EROFS_ACCEL_E_INIT_FAILED      (-7) /* the library could not initialise the requested path */
#define EROFS_ACCEL_E_NO_HARDWARE      (-8) /* no accelerator device on this machine */
#define EROFS_ACCEL_E_UNSUPPORTED      (-9) /* request outside what this path takes (size, path, flags) */
#define EROFS_ACCEL_E_TIMEOUT          (-10) /* the device did not make progress */
#define EROFS_ACCEL_E_NO_MEMORY        (-11) /* allocation failed */
#define EROFS_ACCEL_E_INVALID_STATE    (-12) /* operation handle used in the wrong state */

/* Execution paths. */
#define EROFS_ACCEL_PATH_HARDWARE 1 /* the accelerator device */
#define EROFS_ACCEL_PATH_SOFTWARE 2 /* the library's own CPU implementation (for testing without a device) */

/* Decode flags. */
#define EROFS_ACCEL_FLAG_PARTIAL 0x1u /* the stream may go on past expected_len: stop once expected_len bytes exist */

/* Result of one decode. */
typedef struct erofs_accel_result {
    int32_t status;        /* EROFS_ACCEL_* */
    int32_t native_status; /* the library's own status code (qpl_status, QATzip return code) */
    uint32_t bytes_written; /* bytes the library produced */
    uint32_t bytes_read;    /* compressed bytes the library consumed */
    int32_t path_used;      /* EROFS_ACCEL_PATH_* that actually ran, 0 when nothing ran */
    uint32_t reserved;
} erofs_accel_result;

#endif
