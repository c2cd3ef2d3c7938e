/* erofs-accel QAT shim: see erofs_qat.h for the contract. */
#include "erofs_qat.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qatzip.h>

#define MAX_POOL_SIZE 256u

enum operation_state { OP_FREE = 0, OP_DONE = 2 };

struct erofs_qat_operation {
    erofs_qat_context *context;
    QzSession_T session;
    int session_ready;
    int state;
    erofs_accel_result result;
};

struct erofs_qat_context {
    int32_t path;
    uint32_t pool_size;
    pthread_mutex_t lock;
    uint32_t free_count;
    uint32_t *free_stack;
    erofs_qat_operation *operations;
};

/* Process-wide hardware detection: QATzip is asked once, never again after it said "no hardware". */
static pthread_once_t probe_once = PTHREAD_ONCE_INIT;
static int32_t probe_status = EROFS_ACCEL_E_NO_HARDWARE;
static int32_t probe_native = 0;
static QzSession_T probe_session;

static int is_no_hardware(int rc) {
    return rc == QZ_NO_HW || rc == QZ_NOSW_NO_HW || rc == QZ_NO_MDRV || rc == QZ_NOSW_NO_MDRV ||
           rc == QZ_NO_INST_ATTACH || rc == QZ_NOSW_NO_INST_ATTACH;
}

static void run_probe(void) {
    memset(&probe_session, 0, sizeof(probe_session));
    /* sw_backup = 0: we want to know whether the device works, not whether QATzip can fall back to the CPU. */
    int rc = qzInit(&probe_session, 0);
    probe_native = rc;
    if (rc == QZ_OK || rc == QZ_DUPLICATE) probe_status = EROFS_ACCEL_OK;
    else if (is_no_hardware(rc)) probe_status = EROFS_ACCEL_E_NO_HARDWARE;
    else if (rc == QZ_LOW_MEM || rc == QZ_NOSW_LOW_MEM) probe_status = EROFS_ACCEL_E_NO_MEMORY;
    else probe_status = EROFS_ACCEL_E_INIT_FAILED;
}

EROFS_ACCEL_EXPORT uint32_t erofs_qat_abi_version(void) { return EROFS_QAT_ABI_VERSION; }

static pthread_once_t version_once = PTHREAD_ONCE_INIT;
static char version_text[48];

static void format_version(void) {
    snprintf(version_text, sizeof(version_text), "QATzip API %d.%d", (int)QATZIP_API_VERSION_NUM_MAJOR,
             (int)QATZIP_API_VERSION_NUM_MINOR);
}

EROFS_ACCEL_EXPORT const char *erofs_qat_library_version(void) {
    /* QATzip has no run-time version query in 1.3; report the API version the shim was built against. */
    pthread_once(&version_once, format_version);
    return version_text;
}

EROFS_ACCEL_EXPORT int32_t erofs_qat_probe(int32_t *native_status) {
    pthread_once(&probe_once, run_probe);
    if (native_status != NULL) *native_status = probe_native;
    return probe_status;
}

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

static void free_context(erofs_qat_context *ctx) {
    if (ctx->operations != NULL) {
        for (uint32_t i = 0; i < ctx->pool_size; i++) {
            if (ctx->operations[i].session_ready) {
                qzTeardownSession(&ctx->operations[i].session);
                qzClose(&ctx->operations[i].session);
            }
        }
    }
    free(ctx->operations);
    free(ctx->free_stack);
    pthread_mutex_destroy(&ctx->lock);
    free(ctx);
}

EROFS_ACCEL_EXPORT int32_t erofs_qat_context_create(int32_t path, uint32_t pool_size, erofs_qat_context **out,
                                                    int32_t *native_status) {
    if (native_status != NULL) *native_status = 0;
    if (out == NULL) return EROFS_ACCEL_E_INVALID_ARGUMENT;
    *out = NULL;
    if (path != EROFS_ACCEL_PATH_HARDWARE) return EROFS_ACCEL_E_UNSUPPORTED;
    if (pool_size == 0 || pool_size > MAX_POOL_SIZE) return EROFS_ACCEL_E_INVALID_ARGUMENT;

    int32_t probed = erofs_qat_probe(native_status);
    if (probed != EROFS_ACCEL_OK) return probed;

    QzSessionParamsDeflate_T params;
    memset(&params, 0, sizeof(params));
    int rc = qzGetDefaultsDeflate(&params);
    if (rc != QZ_OK) {
        if (native_status != NULL) *native_status = rc;
        return EROFS_ACCEL_E_INIT_FAILED;
    }
    params.data_fmt = QZ_DEFLATE_RAW;
    params.common_params.direction = QZ_DIR_DECOMPRESS;
    params.common_params.sw_backup = 0; /* fail instead of silently decoding on the CPU */

    erofs_qat_context *ctx = calloc(1, sizeof(*ctx));
    if (ctx == NULL) return EROFS_ACCEL_E_NO_MEMORY;
    if (pthread_mutex_init(&ctx->lock, NULL) != 0) {
        free(ctx);
        return EROFS_ACCEL_E_NO_MEMORY;
    }
    ctx->path = path;
    ctx->pool_size = pool_size;
    ctx->operations = calloc(pool_size, sizeof(erofs_qat_operation));
    ctx->free_stack = calloc(pool_size, sizeof(uint32_t));
    if (ctx->operations == NULL || ctx->free_stack == NULL) {
        free_context(ctx);
        return EROFS_ACCEL_E_NO_MEMORY;
    }
    for (uint32_t i = 0; i < pool_size; i++) {
        erofs_qat_operation *op = &ctx->operations[i];
        op->context = ctx;
        rc = qzSetupSessionDeflate(&op->session, &params);
        if (rc != QZ_OK) {
            if (native_status != NULL) *native_status = rc;
            free_context(ctx);
            return is_no_hardware(rc) ? EROFS_ACCEL_E_NO_HARDWARE : EROFS_ACCEL_E_INIT_FAILED;
        }
        op->session_ready = 1;
        ctx->free_stack[i] = pool_size - 1 - i;
    }
    ctx->free_count = pool_size;
    *out = ctx;
    return EROFS_ACCEL_OK;
}

EROFS_ACCEL_EXPORT int32_t erofs_qat_context_path(const erofs_qat_context *context) {
    return context != NULL ? context->path : 0;
}

EROFS_ACCEL_EXPORT uint32_t erofs_qat_context_pool_size(const erofs_qat_context *context) {
    return context != NULL ? context->pool_size : 0;
}

EROFS_ACCEL_EXPORT uint32_t erofs_qat_context_free_jobs(erofs_qat_context *context) {
    if (context == NULL) return 0;
    pthread_mutex_lock(&context->lock);
    uint32_t n = context->free_count;
    pthread_mutex_unlock(&context->lock);
    return n;
}

EROFS_ACCEL_EXPORT int32_t erofs_qat_context_destroy(erofs_qat_context *context) {
    if (context == NULL) return EROFS_ACCEL_OK;
    pthread_mutex_lock(&context->lock);
    int busy = context->free_count != context->pool_size;
    pthread_mutex_unlock(&context->lock);
    if (busy) return EROFS_ACCEL_E_INVALID_STATE;
    free_context(context);
    return EROFS_ACCEL_OK;
}

static erofs_qat_operation *acquire(erofs_qat_context *ctx) {
    erofs_qat_operation *op = NULL;
    pthread_mutex_lock(&ctx->lock);
    if (ctx->free_count > 0) {
        op = &ctx->operations[ctx->free_stack[--ctx->free_count]];
        op->state = OP_DONE;
    }
    pthread_mutex_unlock(&ctx->lock);
    return op;
}

static void give_back(erofs_qat_operation *op) {
    erofs_qat_context *ctx = op->context;
    pthread_mutex_lock(&ctx->lock);
    op->state = OP_FREE;
    ctx->free_stack[ctx->free_count++] = (uint32_t)(op - ctx->operations);
    pthread_mutex_unlock(&ctx->lock);
}

static void set_result(erofs_accel_result *result, int32_t status, int32_t native_status) {
    if (result == NULL) return;
    memset(result, 0, sizeof(*result));
    result->status = status;
    result->native_status = native_status;
}

/* Decodes on the operation's session and records the verdict in op->result. */
static int32_t run(erofs_qat_operation *op, const uint8_t *src, uint32_t src_len, uint8_t *dst, uint32_t expected_len) {
    unsigned int in_len = src_len;
    unsigned int out_len = expected_len; /* never more room than wanted */
    uint64_t ext_rc = 0;
    int rc = qzDecompressExt(&op->session, src, &in_len, dst, &out_len, &ext_rc);
    erofs_accel_result *r = &op->result;
    memset(r, 0, sizeof(*r));
    r->native_status = rc;
    r->bytes_read = in_len;
    r->bytes_written = out_len;
    r->path_used = (rc == QZ_OK && (ext_rc & QZ_SW_EXECUTION_MASK) != 0) ? EROFS_ACCEL_PATH_SOFTWARE
                                                                        : EROFS_ACCEL_PATH_HARDWARE;
    if (rc == QZ_OK) r->status = out_len == expected_len ? EROFS_ACCEL_OK : EROFS_ACCEL_E_WRONG_LENGTH;
    else r->status = map_decode_status(rc, ext_rc);
    if (r->status != EROFS_ACCEL_OK && r->status != EROFS_ACCEL_E_WRONG_LENGTH) r->bytes_written = 0;
    op->state = OP_DONE;
    return r->status;
}

static int32_t check_arguments(const erofs_qat_context *ctx, const uint8_t *src, uint32_t src_len, const uint8_t *dst,
                               uint32_t dst_len, uint32_t expected_len, uint32_t flags) {
    if (ctx == NULL || src == NULL || dst == NULL || src_len == 0 || expected_len == 0) return EROFS_ACCEL_E_INVALID_ARGUMENT;
    if (dst_len < expected_len) return EROFS_ACCEL_E_INVALID_ARGUMENT;
    if (flags != 0) return EROFS_ACCEL_E_UNSUPPORTED; /* no partial decodes through QATzip */
    return EROFS_ACCEL_OK;
}

EROFS_ACCEL_EXPORT int32_t erofs_qat_decompress(erofs_qat_context *context, const uint8_t *src, uint32_t src_len,
                                                uint8_t *dst, uint32_t dst_len, uint32_t expected_len, uint32_t flags,
                                                erofs_accel_result *result) {
    int32_t bad = check_arguments(context, src, src_len, dst, dst_len, expected_len, flags);
    if (bad != EROFS_ACCEL_OK) {
        set_result(result, bad, 0);
        return bad;
    }
    erofs_qat_operation *op = acquire(context);
    if (op == NULL) {
        set_result(result, EROFS_ACCEL_E_BUSY, 0);
        return EROFS_ACCEL_E_BUSY;
    }
    int32_t status = run(op, src, src_len, dst, expected_len);
    if (result != NULL) *result = op->result;
    give_back(op);
    return status;
}

EROFS_ACCEL_EXPORT int32_t erofs_qat_submit(erofs_qat_context *context, const uint8_t *src, uint32_t src_len,
                                            uint8_t *dst, uint32_t dst_len, uint32_t expected_len, uint32_t flags,
                                            erofs_qat_operation **operation, erofs_accel_result *result) {
    if (operation != NULL) *operation = NULL;
    int32_t bad = operation == NULL ? EROFS_ACCEL_E_INVALID_ARGUMENT
                                    : check_arguments(context, src, src_len, dst, dst_len, expected_len, flags);
    if (bad != EROFS_ACCEL_OK) {
        set_result(result, bad, 0);
        return bad;
    }
    erofs_qat_operation *op = acquire(context);
    if (op == NULL) {
        set_result(result, EROFS_ACCEL_E_BUSY, 0);
        return EROFS_ACCEL_E_BUSY;
    }
    int32_t status = run(op, src, src_len, dst, expected_len);
    if (result != NULL) *result = op->result;
    if (status != EROFS_ACCEL_OK) {
        give_back(op);
        return status;
    }
    *operation = op;
    return EROFS_ACCEL_OK;
}

EROFS_ACCEL_EXPORT int32_t erofs_qat_poll(erofs_qat_operation *operation, erofs_accel_result *result) {
    if (operation == NULL || operation->state == OP_FREE) {
        set_result(result, EROFS_ACCEL_E_INVALID_STATE, 0);
        return EROFS_ACCEL_E_INVALID_STATE;
    }
    if (result != NULL) *result = operation->result;
    return operation->result.status;
}

EROFS_ACCEL_EXPORT int32_t erofs_qat_wait(erofs_qat_operation *operation, erofs_accel_result *result) {
    return erofs_qat_poll(operation, result);
}

EROFS_ACCEL_EXPORT void erofs_qat_release(erofs_qat_operation *operation) {
    if (operation == NULL || operation->state == OP_FREE) return;
    give_back(operation);
}
