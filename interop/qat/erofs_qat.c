/* erofs-accel QAT shim: see erofs_qat.h for the contract. */
#include "erofs_qat.h"
#include "../common/erofs_accel_common.h"

#include <qatzip.h>

#define MAX_POOL_SIZE 256u

enum operation_state { OP_FREE = 0, OP_DONE = 2 };

struct erofs_accel_operation {
    erofs_accel_context *context;
    QzSession_T session;
    int session_ready;
    int state;
    erofs_accel_result result;
};

struct erofs_accel_context {
    int32_t path;
    erofs_accel_pool pool;
    QzSessionParamsDeflateExt_T params;
    erofs_accel_operation *operations; /* pool.size entries */
};

/* ---- QATzip's log lines ------------------------------------------------------------------------------------- */

/*
 * QATzip (1.x) writes every log line through this internal function, to stderr or stdout. The shim defines it: the
 * dynamic linker binds libqatzip's calls to the first definition in the lookup scope, which is this shim (libqatzip
 * is one of its dependencies). Should a QATzip build not use it, qzSetLogLevel(LOG_NONE) still keeps its errors and
 * warnings off stderr.
 */
EROFS_ACCEL_EXPORT void logMessage(QzLogLevel_T level, const char *file, int line, const char *format, ...);

static int32_t sink_level(QzLogLevel_T level) {
    switch (level) {
    case LOG_FATAL:
    case LOG_ERROR: return EROFS_ACCEL_LOG_ERROR;
    case LOG_WARNING: return EROFS_ACCEL_LOG_WARNING;
    case LOG_INFO: return EROFS_ACCEL_LOG_INFO;
    default: return EROFS_ACCEL_LOG_DEBUG;
    }
}

void logMessage(QzLogLevel_T level, const char *file, int line, const char *format, ...) {
    int32_t mapped = sink_level(level);
    if (!erofs_accel_log_wanted(mapped)) return;
    char prefix[96];
    const char *base = file != NULL ? strrchr(file, '/') : NULL;
    snprintf(prefix, sizeof(prefix), "QATzip (%s:%d): ", base != NULL ? base + 1 : (file != NULL ? file : "?"), line);
    va_list args;
    va_start(args, format);
    erofs_accel_vlog(mapped, prefix, format, args);
    va_end(args);
}

static pthread_once_t quiet_once = PTHREAD_ONCE_INIT;

static void quiet_library(void) { qzSetLogLevel(LOG_NONE); }

static void set_log_sink(erofs_accel_log_sink sink, int32_t max_level) {
    pthread_once(&quiet_once, quiet_library);
    erofs_accel_set_sink(sink, max_level);
}

/* ---- hardware detection ------------------------------------------------------------------------------------- */

/* Process-wide: QATzip is asked once, never again after it said "no hardware". */
static pthread_once_t probe_once = PTHREAD_ONCE_INIT;
static int32_t probe_status = EROFS_ACCEL_E_NO_HARDWARE;
static int32_t probe_native = 0;
static QzSession_T probe_session;

static int is_no_hardware(int rc) {
    return rc == QZ_NO_HW || rc == QZ_NOSW_NO_HW || rc == QZ_NO_MDRV || rc == QZ_NOSW_NO_MDRV ||
           rc == QZ_NO_INST_ATTACH || rc == QZ_NOSW_NO_INST_ATTACH;
}

static void run_probe(void) {
    pthread_once(&quiet_once, quiet_library);
    memset(&probe_session, 0, sizeof(probe_session));
    /* sw_backup = 0: we want to know whether the device works, not whether QATzip can fall back to the CPU. */
    int rc = qzInit(&probe_session, 0);
    probe_native = rc;
    if (rc == QZ_OK || rc == QZ_DUPLICATE) probe_status = EROFS_ACCEL_OK;
    else if (is_no_hardware(rc)) probe_status = EROFS_ACCEL_E_NO_HARDWARE;
    else if (rc == QZ_LOW_MEM || rc == QZ_NOSW_LOW_MEM) probe_status = EROFS_ACCEL_E_NO_MEMORY;
    else probe_status = EROFS_ACCEL_E_INIT_FAILED;
}

/* Hardware: the device must work. Software (test mode): QATzip must be usable; a missing device is what it is for. */
static int32_t probe(int32_t path, int32_t *native_status) {
    pthread_once(&probe_once, run_probe);
    if (native_status != NULL) *native_status = probe_native;
    if (path == EROFS_ACCEL_PATH_SOFTWARE)
        return probe_status == EROFS_ACCEL_OK || probe_status == EROFS_ACCEL_E_NO_HARDWARE ? EROFS_ACCEL_OK
                                                                                          : probe_status;
    if (path != EROFS_ACCEL_PATH_HARDWARE) return EROFS_ACCEL_E_UNSUPPORTED;
    return probe_status;
}

static pthread_once_t version_once = PTHREAD_ONCE_INIT;
static char version_text[48];

static void format_version(void) {
    snprintf(version_text, sizeof(version_text), "QATzip API %d.%d", (int)QATZIP_API_VERSION_NUM_MAJOR,
             (int)QATZIP_API_VERSION_NUM_MINOR);
}

static const char *library_version(void) {
    /* QATzip has no run-time version query in 1.3; report the API version the shim was built against. */
    pthread_once(&version_once, format_version);
    return version_text;
}

/* ---- contexts --------------------------------------------------------------------------------------------------- */

/* Maps a QATzip return code (not QZ_OK) of a decode to an EROFS_ACCEL_E_* code. */
static int32_t map_decode_status(int rc, uint64_t ext_rc) {
    if (rc == QZ_DATA_ERROR) return EROFS_ACCEL_E_CORRUPT_DATA;
    if (rc == QZ_BUF_ERROR) return EROFS_ACCEL_E_OUTPUT_OVERFLOW;
    if (rc == QZ_TIMEOUT || (ext_rc & QZ_TIMEOUT_MASK) != 0) return EROFS_ACCEL_E_TIMEOUT;
    if (rc == QZ_PARAMS) return EROFS_ACCEL_E_INVALID_ARGUMENT;
    if (rc == QZ_LOW_MEM || rc == QZ_NOSW_LOW_MEM || rc == QZ_LOW_DEST_MEM) return EROFS_ACCEL_E_NO_MEMORY;
    if (rc == QZ_UNSUPPORTED_FMT || rc == QZ_NOSW_UNSUPPORTED_FMT || rc == QZ_NOT_SUPPORTED) return EROFS_ACCEL_E_UNSUPPORTED;
    if (is_no_hardware(rc)) return EROFS_ACCEL_E_NO_HARDWARE;
    return EROFS_ACCEL_E_BACKEND_FAILURE;
}

static void close_session(erofs_accel_operation *op) {
    if (!op->session_ready) return;
    qzTeardownSession(&op->session);
    qzClose(&op->session);
    memset(&op->session, 0, sizeof(op->session));
    op->session_ready = 0;
}

static int open_session(erofs_accel_operation *op) {
    memset(&op->session, 0, sizeof(op->session));
    int rc = qzSetupSessionDeflateExt(&op->session, &op->context->params);
    op->session_ready = rc == QZ_OK;
    return rc;
}

static void free_context(erofs_accel_context *ctx) {
    if (ctx->operations != NULL) {
        for (uint32_t i = 0; i < ctx->pool.size; i++) close_session(&ctx->operations[i]);
    }
    free(ctx->operations);
    erofs_accel_pool_destroy(&ctx->pool);
    free(ctx);
}

static int32_t context_create(int32_t path, uint32_t pool_size, erofs_accel_context **out, int32_t *native_status) {
    if (native_status != NULL) *native_status = 0;
    if (out == NULL) return EROFS_ACCEL_E_INVALID_ARGUMENT;
    *out = NULL;
    if (path != EROFS_ACCEL_PATH_HARDWARE && path != EROFS_ACCEL_PATH_SOFTWARE) return EROFS_ACCEL_E_UNSUPPORTED;
    if (pool_size == 0 || pool_size > MAX_POOL_SIZE) return EROFS_ACCEL_E_INVALID_ARGUMENT;

    int32_t probed = probe(path, native_status);
    if (probed != EROFS_ACCEL_OK) return probed;

    erofs_accel_context *ctx = calloc(1, sizeof(*ctx));
    if (ctx == NULL) return EROFS_ACCEL_E_NO_MEMORY;
    if (erofs_accel_pool_init(&ctx->pool, pool_size) != 0) {
        free(ctx);
        return EROFS_ACCEL_E_NO_MEMORY;
    }
    ctx->path = path;
    int rc = qzGetDefaultsDeflateExt(&ctx->params);
    if (rc != QZ_OK) {
        if (native_status != NULL) *native_status = rc;
        free_context(ctx);
        return EROFS_ACCEL_E_INIT_FAILED;
    }
    ctx->params.deflate_params.data_fmt = QZ_DEFLATE_RAW;
    ctx->params.deflate_params.common_params.direction = QZ_DIR_DECOMPRESS;
    /* Hardware: fail instead of silently decoding on the CPU. Software: the test mode, QATzip's own failover. */
    ctx->params.deflate_params.common_params.sw_backup = path == EROFS_ACCEL_PATH_SOFTWARE ? 1 : 0;
    ctx->params.stop_decompression_stream_end = 1; /* one stream per decode: bytes after its end are not a new one */
    ctx->params.zlib_format = 0;

    ctx->operations = calloc(pool_size, sizeof(erofs_accel_operation));
    if (ctx->operations == NULL) {
        free_context(ctx);
        return EROFS_ACCEL_E_NO_MEMORY;
    }
    for (uint32_t i = 0; i < pool_size; i++) {
        erofs_accel_operation *op = &ctx->operations[i];
        op->context = ctx;
        rc = open_session(op);
        if (rc != QZ_OK) {
            if (native_status != NULL) *native_status = rc;
            free_context(ctx);
            return is_no_hardware(rc) ? EROFS_ACCEL_E_NO_HARDWARE : EROFS_ACCEL_E_INIT_FAILED;
        }
    }
    *out = ctx;
    return EROFS_ACCEL_OK;
}

static int32_t context_path(const erofs_accel_context *context) { return context != NULL ? context->path : 0; }

static uint32_t context_pool_size(const erofs_accel_context *context) {
    return context != NULL ? context->pool.size : 0;
}

static uint32_t context_free_jobs(erofs_accel_context *context) {
    return context != NULL ? erofs_accel_pool_free(&context->pool) : 0;
}

static int32_t context_destroy(erofs_accel_context *context) {
    if (context == NULL) return EROFS_ACCEL_OK;
    if (erofs_accel_pool_free(&context->pool) != context->pool.size) return EROFS_ACCEL_E_INVALID_STATE;
    free_context(context);
    return EROFS_ACCEL_OK;
}

static erofs_accel_operation *acquire(erofs_accel_context *ctx) {
    int64_t slot = erofs_accel_pool_take(&ctx->pool);
    if (slot < 0) return NULL;
    erofs_accel_operation *op = &ctx->operations[slot];
    op->state = OP_DONE;
    return op;
}

static void give_back(erofs_accel_operation *op) {
    op->state = OP_FREE;
    erofs_accel_pool_give_back(&op->context->pool, (uint32_t)(op - op->context->operations));
}

/* ---- decoding ----------------------------------------------------------------------------------------------- */

/* Decodes on the operation's session and records the verdict in op->result. */
static int32_t run(erofs_accel_operation *op, const uint8_t *src, uint32_t src_len, uint8_t *dst, uint32_t dst_len,
                   uint32_t expected_len) {
    erofs_accel_result *r = &op->result;
    memset(r, 0, sizeof(*r));
    if (!op->session_ready) {
        int rc = open_session(op);
        if (rc != QZ_OK) {
            r->native_status = rc;
            r->status = EROFS_ACCEL_E_BACKEND_FAILURE;
            op->state = OP_DONE;
            return r->status;
        }
    }
    unsigned int in_len = src_len;
    /* One spare byte when the caller has room: a stream that fills it goes on past expected_len. */
    unsigned int out_len = dst_len > expected_len ? expected_len + 1 : expected_len;
    uint64_t ext_rc = 0;
    int rc = qzDecompressExt(&op->session, src, &in_len, dst, &out_len, &ext_rc);
    int software = op->context->path == EROFS_ACCEL_PATH_SOFTWARE && probe_status == EROFS_ACCEL_E_NO_HARDWARE;
    r->native_status = rc;
    r->bytes_read = in_len;
    r->bytes_written = out_len;
    r->path_used = software || (rc == QZ_OK && (ext_rc & QZ_SW_EXECUTION_MASK) != 0) ? EROFS_ACCEL_PATH_SOFTWARE
                                                                                   : EROFS_ACCEL_PATH_HARDWARE;
    if (rc == QZ_OK) {
        r->status = out_len == expected_len ? EROFS_ACCEL_OK
                    : out_len > expected_len ? EROFS_ACCEL_E_OUTPUT_OVERFLOW
                                             : EROFS_ACCEL_E_WRONG_LENGTH;
    } else {
        r->status = map_decode_status(rc, ext_rc);
    }
    if (r->status != EROFS_ACCEL_OK && r->status != EROFS_ACCEL_E_WRONG_LENGTH) r->bytes_written = 0;
    /* QATzip's CPU path keeps its inflate state in the session between calls (a stream that did not end would be
     * continued by the next decode): start every software decode, and any failed one, on a fresh session. */
    if (software || r->status != EROFS_ACCEL_OK) close_session(op);
    op->state = OP_DONE;
    return r->status;
}

static int32_t check_arguments(const erofs_accel_context *ctx, const uint8_t *src, uint32_t src_len,
                               const uint8_t *dst, uint32_t dst_len, uint32_t expected_len, uint32_t flags) {
    return erofs_accel_check_decode(ctx, src, src_len, dst, dst_len, expected_len, flags, 0);
}

static int32_t decompress(erofs_accel_context *context, const uint8_t *src, uint32_t src_len, uint8_t *dst,
                          uint32_t dst_len, uint32_t expected_len, uint32_t flags, erofs_accel_result *result) {
    int32_t bad = check_arguments(context, src, src_len, dst, dst_len, expected_len, flags);
    if (bad != EROFS_ACCEL_OK) {
        erofs_accel_set_result(result, bad, 0);
        return bad;
    }
    erofs_accel_operation *op = acquire(context);
    if (op == NULL) {
        erofs_accel_set_result(result, EROFS_ACCEL_E_BUSY, 0);
        return EROFS_ACCEL_E_BUSY;
    }
    int32_t status = run(op, src, src_len, dst, dst_len, expected_len);
    if (result != NULL) *result = op->result;
    give_back(op);
    return status;
}

static int32_t submit(erofs_accel_context *context, const uint8_t *src, uint32_t src_len, uint8_t *dst,
                      uint32_t dst_len, uint32_t expected_len, uint32_t flags, erofs_accel_operation **operation,
                      erofs_accel_result *result) {
    if (operation != NULL) *operation = NULL;
    int32_t bad = operation == NULL ? EROFS_ACCEL_E_INVALID_ARGUMENT
                                    : check_arguments(context, src, src_len, dst, dst_len, expected_len, flags);
    if (bad != EROFS_ACCEL_OK) {
        erofs_accel_set_result(result, bad, 0);
        return bad;
    }
    erofs_accel_operation *op = acquire(context);
    if (op == NULL) {
        erofs_accel_set_result(result, EROFS_ACCEL_E_BUSY, 0);
        return EROFS_ACCEL_E_BUSY;
    }
    int32_t status = run(op, src, src_len, dst, dst_len, expected_len);
    if (result != NULL) *result = op->result;
    if (status != EROFS_ACCEL_OK) {
        give_back(op);
        return status;
    }
    *operation = op;
    return EROFS_ACCEL_OK;
}

static int32_t operation_poll(erofs_accel_operation *operation, erofs_accel_result *result) {
    if (operation == NULL || operation->state == OP_FREE) {
        erofs_accel_set_result(result, EROFS_ACCEL_E_INVALID_STATE, 0);
        return EROFS_ACCEL_E_INVALID_STATE;
    }
    if (result != NULL) *result = operation->result;
    return operation->result.status;
}

/* Decodes are synchronous: the outcome is known once submit returned. */
static int32_t operation_wait(erofs_accel_operation *operation, erofs_accel_result *result) {
    return operation_poll(operation, result);
}

static void operation_release(erofs_accel_operation *operation) {
    if (operation == NULL || operation->state == OP_FREE) return;
    give_back(operation);
}

EROFS_ACCEL_DEFINE_EXPORTS("qat")
