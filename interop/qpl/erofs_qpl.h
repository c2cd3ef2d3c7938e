/*
 * erofs-accel QPL shim: raw DEFLATE decoding through the Intel Query Processing Library job API, published through
 * the common export table (../common/erofs_accel_shim.h, name "qpl"). Consumed by Erofs.Accel.Decompression.
 *
 * QPL specifics:
 *  - A context owns a fixed pool of QPL jobs, all initialised for one path (hardware: IAA; software: QPL's CPU path).
 *    Creating a context fails unless every job's qpl_init_job returned QPL_STS_OK for that path: QPL otherwise
 *    silently runs a failed hardware initialisation on the CPU. probe always answers OK (context creation tells).
 *  - A decode succeeds only when QPL reports success AND produced exactly expected_len bytes (QPL reports success on
 *    truncated input); decodes stop and check for the final end-of-block. With EROFS_ACCEL_FLAG_PARTIAL the stream
 *    may go on; decoding stops after expected_len bytes.
 *  - submit runs qpl_submit_job: on the hardware path the job runs on IAA while the caller does other work (PENDING,
 *    then poll = qpl_check_job, wait = qpl_wait_job); the software path decodes inside submit.
 *  - QPL writes no log lines (release builds); set_log_sink only records the sink.
 *  - The shim never writes outside dst[0, expected_len). All functions are thread-safe; one operation handle must be
 *    used by one thread at a time.
 */
#ifndef EROFS_QPL_H
#define EROFS_QPL_H

#include <stdint.h>
#include "../common/erofs_accel_shim.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Baseline for measuring the shim (the BenchmarkDotNet suite): the plain QPL calls a caller of QPL makes for one
 * raw-DEFLATE decode, on a job of its own, without the shim's pool, argument checks or verdicts. Not used by the
 * engine. erofs_qpl_direct_decompress returns the qpl_status and stores the produced byte count in *written.
 */
EROFS_ACCEL_EXPORT int32_t erofs_qpl_direct_job_create(int32_t path, void **job);
EROFS_ACCEL_EXPORT int32_t erofs_qpl_direct_decompress(void *job, const uint8_t *src, uint32_t src_len, uint8_t *dst,
                                                       uint32_t dst_len, uint32_t *written);
EROFS_ACCEL_EXPORT void erofs_qpl_direct_job_destroy(void *job);

#ifdef __cplusplus
}
#endif

#endif
