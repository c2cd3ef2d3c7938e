/*
 * erofs-accel QPL shim: raw DEFLATE decoding through the Intel Query Processing Library job API.
 * Stable C ABI consumed by Erofs.Accel.Decompression (Interop/Qpl/Interop.ErofsQpl.cs).
 *
 * Contract:
 *  - A context owns a fixed pool of QPL jobs, all initialised for one path (hardware or software). Creating a
 *    context fails unless every job's qpl_init_job returned QPL_STS_OK for that path: QPL otherwise silently runs a
 *    failed hardware initialisation on the CPU.
 *  - A decode succeeds only when QPL reports success AND produced exactly expected_len bytes (QPL reports success on
 *    truncated input). With EROFS_ACCEL_FLAG_PARTIAL the stream may go on; decoding stops after expected_len bytes.
 *  - The shim never writes outside dst[0, expected_len).
 *  - All functions are thread-safe; one operation handle must be used by one thread at a time.
 */
#ifndef EROFS_QPL_H
#define EROFS_QPL_H

#include <stdint.h>
#include "../common/erofs_accel_status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever a signature or a struct layout changes. */
#define EROFS_QPL_ABI_VERSION 1u

typedef struct erofs_qpl_context erofs_qpl_context;
typedef struct erofs_qpl_operation erofs_qpl_operation;

/* EROFS_QPL_ABI_VERSION of the built shim. */
EROFS_ACCEL_EXPORT uint32_t erofs_qpl_abi_version(void);

/* Version string of the QPL library linked in (static storage). */
EROFS_ACCEL_EXPORT const char *erofs_qpl_library_version(void);

/*
 * Creates a context with pool_size jobs (1..1024) for path EROFS_ACCEL_PATH_HARDWARE or EROFS_ACCEL_PATH_SOFTWARE.
 * On failure *out is NULL and *native_status holds the qpl_status that caused it.
 */
EROFS_ACCEL_EXPORT int32_t erofs_qpl_context_create(int32_t path, uint32_t pool_size, erofs_qpl_context **out,
                                                    int32_t *native_status);

/* Path every job of the context runs on. */
EROFS_ACCEL_EXPORT int32_t erofs_qpl_context_path(const erofs_qpl_context *context);

/* Number of jobs in the pool (how many decodes may run at once). */
EROFS_ACCEL_EXPORT uint32_t erofs_qpl_context_pool_size(const erofs_qpl_context *context);

/* Jobs currently free. */
EROFS_ACCEL_EXPORT uint32_t erofs_qpl_context_free_jobs(erofs_qpl_context *context);

/*
 * Frees the context. Every operation must have been released first (otherwise EROFS_ACCEL_E_INVALID_STATE and
 * nothing is freed).
 */
EROFS_ACCEL_EXPORT int32_t erofs_qpl_context_destroy(erofs_qpl_context *context);

/*
 * One-shot decode: decodes the raw DEFLATE stream src[0, src_len) into dst[0, expected_len) and waits for it.
 * dst_len must be >= expected_len. EROFS_ACCEL_E_BUSY when no pooled job is free.
 */
EROFS_ACCEL_EXPORT int32_t erofs_qpl_decompress(erofs_qpl_context *context, const uint8_t *src, uint32_t src_len,
                                                uint8_t *dst, uint32_t dst_len, uint32_t expected_len, uint32_t flags,
                                                erofs_accel_result *result);

/*
 * Asynchronous decode: takes a pooled job and submits it. On EROFS_ACCEL_OK or EROFS_ACCEL_PENDING *operation is set
 * and must be given back with erofs_qpl_release; src and dst must stay valid until then. On a failure *operation is
 * NULL and result says why. (On the software path QPL decodes during submission, so the operation is already done.)
 */
EROFS_ACCEL_EXPORT int32_t erofs_qpl_submit(erofs_qpl_context *context, const uint8_t *src, uint32_t src_len,
                                            uint8_t *dst, uint32_t dst_len, uint32_t expected_len, uint32_t flags,
                                            erofs_qpl_operation **operation, erofs_accel_result *result);

/* Non-blocking check: EROFS_ACCEL_PENDING while running, else the final status (also in *result). */
EROFS_ACCEL_EXPORT int32_t erofs_qpl_poll(erofs_qpl_operation *operation, erofs_accel_result *result);

/* Blocks until the operation ends; returns the final status (also in *result). */
EROFS_ACCEL_EXPORT int32_t erofs_qpl_wait(erofs_qpl_operation *operation, erofs_accel_result *result);

/* Returns the operation's job to the pool, first waiting for it if it still runs. NULL is ignored. */
EROFS_ACCEL_EXPORT void erofs_qpl_release(erofs_qpl_operation *operation);

#ifdef __cplusplus
}
#endif

#endif
