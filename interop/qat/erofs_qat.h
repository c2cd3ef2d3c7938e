/*
 * erofs-accel QAT shim: raw DEFLATE decoding through QATzip (>= 1.3) sessions, published through the common export
 * table (../common/erofs_accel_shim.h, name "qat"). Consumed by Erofs.Accel.Decompression.
 *
 * QAT specifics:
 *  - Hardware is detected once per process (probe, also run by context creation). When QATzip says there is no QAT
 *    device or driver the shim remembers it and never asks again: QATzip leaks a thread key on every retry.
 *  - EROFS_ACCEL_PATH_HARDWARE: sessions have QATzip's software failover off, so a decode either runs on QAT or fails
 *    (and the engine decodes it in software).
 *  - EROFS_ACCEL_PATH_SOFTWARE is a TEST MODE: sessions allow QATzip's software failover, so QATzip decodes through
 *    its own CPU implementation where no device exists. result.path_used is "software" when the probe found no
 *    device; with a device QATzip does not report a failover, so it says "hardware".
 *  - A decode succeeds only when QATzip returns QZ_OK AND produced exactly expected_len bytes. QATzip does not report
 *    whether the stream ended, so give dst_len > expected_len: the shim then offers QATzip one spare byte and treats a
 *    stream that fills it as over-long (EROFS_ACCEL_E_OUTPUT_OVERFLOW). Nothing is ever written past dst_len.
 *  - QATzip decodes synchronously: submit runs the decode (OK or a failure), poll and wait return its outcome.
 *  - Partial decodes are not supported (EROFS_ACCEL_E_UNSUPPORTED).
 *  - QATzip's log lines (its [Error]/[Warning] lines, e.g. "no hardware, switch to SW if permitted") go to the sink of
 *    set_log_sink instead of stderr: the shim provides QATzip's internal logMessage and sets qzSetLogLevel(LOG_NONE).
 */
#ifndef EROFS_QAT_H
#define EROFS_QAT_H

#include "../common/erofs_accel_shim.h"

#endif
