/*
 * erofs-accel QAT shim: raw DEFLATE decoding through QATzip (>= 1.3) sessions.
 * Stable C ABI consumed by Erofs.Accel.Decompression (Interop/Qat/Interop.ErofsQat.cs). Same shape as erofs_qpl.h.
 *
 * Contract:
 *  - Hardware is detected once per process (erofs_qat_probe, also run by context creation). When QATzip says there is
 *    no QAT device or driver, the shim remembers it and never calls QATzip again: QATzip leaks a thread key and
 *    writes to stderr on every retry without hardware.
 *  - A context owns a fixed pool of QATzip sessions set up for raw DEFLATE decompression. On the hardware path QATzip's
 *    own software backup is disabled, so a decode either runs on QAT or fails; result.path_used tells which ran.
 *  - A decode succeeds only when QATzip returns QZ_OK AND produced exactly expected_len bytes.
 *  - QATzip decodes synchronously: erofs_qat_submit runs the decode, poll and wait return its outcome.
 *  - The shim never writes outside dst[0, expected_len). Partial decodes are not supported (EROFS_ACCEL_E_UNSUPPORTED).
 */
#ifndef EROFS_QAT_H
#define EROFS_QAT_H

#include <stdint.h>
#include "../common/erofs_accel_status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define EROFS_QAT_ABI_VERSION 1u

typedef struct erofs_qat_context erofs_qat_context;
typedef struct erofs_qat_operation erofs_qat_operation;

EROFS_ACCEL_EXPORT uint32_t erofs_qat_abi_version(void);

/* "QATzip API <major>.<minor>" the shim was built against (static storage). */
EROFS_ACCEL_EXPORT const char *erofs_qat_library_version(void);

/*
 * Detects QAT hardware once per process (later calls return the remembered answer without touching QATzip).
 * EROFS_ACCEL_OK when a device is usable, EROFS_ACCEL_E_NO_HARDWARE or EROFS_ACCEL_E_INIT_FAILED otherwise;
 * *native_status receives QATzip's qzInit return code.
 */
EROFS_ACCEL_EXPORT int32_t erofs_qat_probe(int32_t *native_status);

/*
 * Creates a context of pool_size (1..256) sessions. Only EROFS_ACCEL_PATH_HARDWARE is taken (the device is probed
 * first); EROFS_ACCEL_PATH_SOFTWARE gives EROFS_ACCEL_E_UNSUPPORTED because QATzip 1.3 cannot force its software
 * implementation while a device exists, so such a path could not say truthfully what ran.
 */
EROFS_ACCEL_EXPORT int32_t erofs_qat_context_create(int32_t path, uint32_t pool_size, erofs_qat_context **out,
                                                    int32_t *native_status);

EROFS_ACCEL_EXPORT int32_t erofs_qat_context_path(const erofs_qat_context *context);
EROFS_ACCEL_EXPORT uint32_t erofs_qat_context_pool_size(const erofs_qat_context *context);
EROFS_ACCEL_EXPORT uint32_t erofs_qat_context_free_jobs(erofs_qat_context *context);

/* Frees the context; EROFS_ACCEL_E_INVALID_STATE (and nothing freed) while operations are outstanding. */
EROFS_ACCEL_EXPORT int32_t erofs_qat_context_destroy(erofs_qat_context *context);

/* One-shot decode of src[0, src_len) into dst[0, expected_len); dst_len >= expected_len. */
EROFS_ACCEL_EXPORT int32_t erofs_qat_decompress(erofs_qat_context *context, const uint8_t *src, uint32_t src_len,
                                                uint8_t *dst, uint32_t dst_len, uint32_t expected_len, uint32_t flags,
                                                erofs_accel_result *result);

/* Runs the decode on a pooled session; on EROFS_ACCEL_OK *operation holds it until erofs_qat_release. */
EROFS_ACCEL_EXPORT int32_t erofs_qat_submit(erofs_qat_context *context, const uint8_t *src, uint32_t src_len,
                                            uint8_t *dst, uint32_t dst_len, uint32_t expected_len, uint32_t flags,
                                            erofs_qat_operation **operation, erofs_accel_result *result);

EROFS_ACCEL_EXPORT int32_t erofs_qat_poll(erofs_qat_operation *operation, erofs_accel_result *result);
EROFS_ACCEL_EXPORT int32_t erofs_qat_wait(erofs_qat_operation *operation, erofs_accel_result *result);
EROFS_ACCEL_EXPORT void erofs_qat_release(erofs_qat_operation *operation);

#ifdef __cplusplus
}
#endif

#endif
