/*
 * The one export table every erofs-accel shim (interop/qpl, interop/qat) publishes. A shim exports a single symbol,
 * erofs_accel_shim_exports(), returning a static table of function pointers with the same shape for every accelerator
 * library; the C# side (Erofs.Accel.Decompression, Interop/Interop.ErofsAccelShim.cs) reads that table, checks
 * abi_version and size, and calls through it. Adding a function means appending a field and raising the ABI version.
 *
 * Contract shared by every shim:
 *  - A context owns a fixed pool of library jobs/sessions behind a mutex; a call that finds none free returns
 *    EROFS_ACCEL_E_BUSY. context_destroy refuses (EROFS_ACCEL_E_INVALID_STATE) while operations are outstanding.
 *  - A decode succeeds only when the library reports success AND produced exactly expected_len bytes; the library is
 *    given exactly expected_len bytes of output room, so an over-long stream stops with an overflow instead of writing
 *    further (EROFS_ACCEL_FLAG_PARTIAL accepts that overflow once the prefix exists, where the shim supports it).
 *  - submit starts a decode on a pooled job. It returns EROFS_ACCEL_PENDING while the device works (poll/wait tell the
 *    outcome), EROFS_ACCEL_OK when the decode already finished successfully (synchronous libraries, CPU paths), or a
 *    failure (nothing outstanding then). A job that was handed out stays taken until release, which waits for a job
 *    the device may still be working on.
 *  - result.path_used tells which path actually ran (hardware, or the library's software path).
 *  - Log lines the library writes are passed to the sink given to set_log_sink (never to stdout/stderr), at levels up
 *    to max_level; with no sink they are dropped.
 */
#ifndef EROFS_ACCEL_SHIM_H
#define EROFS_ACCEL_SHIM_H

#include <stdint.h>
#include "erofs_accel_status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define EROFS_ACCEL_SHIM_ABI_VERSION 2u

/* Levels of library log lines handed to the sink. */
#define EROFS_ACCEL_LOG_ERROR   1
#define EROFS_ACCEL_LOG_WARNING 2
#define EROFS_ACCEL_LOG_INFO    3
#define EROFS_ACCEL_LOG_DEBUG   4

typedef struct erofs_accel_context erofs_accel_context;
typedef struct erofs_accel_operation erofs_accel_operation;

/* Receives one library log line: level EROFS_ACCEL_LOG_*, text NUL-terminated, without the trailing newline. May be
 * called from any thread the library runs on. */
typedef void (*erofs_accel_log_sink)(int32_t level, const char *message);

typedef struct erofs_accel_shim_table {
    uint32_t abi_version; /* EROFS_ACCEL_SHIM_ABI_VERSION */
    uint32_t size;        /* sizeof(erofs_accel_shim_table) */
    const char *name;     /* "qpl", "qat" */

    /* Version of the accelerator library inside the shim (static storage). */
    const char *(*library_version)(void);

    /* Checks, once per process and path, that the library can run the path (EROFS_ACCEL_PATH_*); later calls return
     * the remembered answer. *native_status receives the library's own code. */
    int32_t (*probe)(int32_t path, int32_t *native_status);

    /* Creates a context of pool_size jobs on the path; probes first. */
    int32_t (*context_create)(int32_t path, uint32_t pool_size, erofs_accel_context **out, int32_t *native_status);
    int32_t (*context_path)(const erofs_accel_context *context);
    uint32_t (*context_pool_size)(const erofs_accel_context *context);
    uint32_t (*context_free_jobs)(erofs_accel_context *context);
    int32_t (*context_destroy)(erofs_accel_context *context);

    /* One-shot decode of src[0, src_len) into dst[0, expected_len); dst_len >= expected_len. */
    int32_t (*decompress)(erofs_accel_context *context, const uint8_t *src, uint32_t src_len, uint8_t *dst,
                          uint32_t dst_len, uint32_t expected_len, uint32_t flags, erofs_accel_result *result);

    /* Starts a decode (see the contract above); *operation is set unless the call failed. */
    int32_t (*submit)(erofs_accel_context *context, const uint8_t *src, uint32_t src_len, uint8_t *dst,
                      uint32_t dst_len, uint32_t expected_len, uint32_t flags, erofs_accel_operation **operation,
                      erofs_accel_result *result);

    /* EROFS_ACCEL_PENDING while the job runs, else its final status (repeatable). */
    int32_t (*poll)(erofs_accel_operation *operation, erofs_accel_result *result);

    /* Blocks until the job ends; its final status. */
    int32_t (*wait)(erofs_accel_operation *operation, erofs_accel_result *result);

    /* Gives the job back to the pool (waiting for it first if it may still run). */
    void (*release)(erofs_accel_operation *operation);

    /* Routes the library's log lines to sink (NULL: drop them), levels up to max_level. */
    void (*set_log_sink)(erofs_accel_log_sink sink, int32_t max_level);
} erofs_accel_shim_table;

/* The only symbol a shim exports besides its diagnostics. */
EROFS_ACCEL_EXPORT const erofs_accel_shim_table *erofs_accel_shim_exports(void);

#ifdef __cplusplus
}
#endif

#endif
