/* erofs-accel QPL shim: see erofs_qpl.h for the contract. */
#include "erofs_qpl.h"
#include "../common/erofs_accel_common.h"

#include <qpl/qpl.h>

#define MAX_POOL_SIZE 1024u

enum operation_state { OP_FREE = 0, OP_SUBMITTED = 1, OP_DONE = 2 };

struct erofs_accel_operation {
    erofs_accel_context *context;
    qpl_job *job;
    uint32_t expected_len;
    uint32_t flags;
    int state;
    erofs_accel_result result;
};

struct erofs_accel_context {
    int32_t path;
    erofs_accel_pool pool;
    erofs_accel_operation *operations; /* pool.size entries */
    uint8_t *job_memory;               /* pool.size * job stride bytes */
    uint32_t initialised_jobs;         /* jobs that went through qpl_init_job successfully */
};

typedef erofs_accel_operation erofs_qpl_operation;
typedef erofs_accel_context erofs_qpl_context;

static qpl_path_t to_qpl_path(int32_t path) {
    return path == EROFS_ACCEL_PATH_HARDWARE ? qpl_path_hardware : qpl_path_software;
}

static int32_t from_qpl_path(qpl_path_t path) {
    switch (path) {
    case qpl_path_hardware: return EROFS_ACCEL_PATH_HARDWARE;
    case qpl_path_software: return EROFS_ACCEL_PATH_SOFTWARE;
    default: return 0;
    }
}

/* Maps a qpl_status that is not QPL_STS_OK to an EROFS_ACCEL_E_* code. */
static int32_t map_status(qpl_status status) {
    uint32_t s = (uint32_t)status;
    switch (status) {
    case QPL_STS_QUEUES_ARE_BUSY_ERR: return EROFS_ACCEL_E_BUSY;
    case QPL_STS_MORE_OUTPUT_NEEDED:
    case QPL_STS_DST_IS_SHORT_ERR: return EROFS_ACCEL_E_OUTPUT_OVERFLOW;
    case QPL_STS_MORE_INPUT_NEEDED:
    case QPL_STS_SRC_IS_SHORT_ERR:
    case QPL_STS_INFLATE_NEED_DICT_ERR:
    case QPL_STS_INVALID_DEFLATE_DATA_ERR: return EROFS_ACCEL_E_CORRUPT_DATA;
    case QPL_STS_TIMEOUT_ERR:
    case QPL_STS_INTL_HARDWARE_TIMEOUT:
    case QPL_STS_INTL_READBACK_TIMEOUT:
    case QPL_STS_INTL_PAGE_REQUEST_TIMEOUT:
    case QPL_STS_INTL_WATCHDOG_TIMER_EXPIRE: return EROFS_ACCEL_E_TIMEOUT;
    case QPL_STS_NO_MEM_ERR:
    case QPL_STS_OBJECT_ALLOCATION_ERR: return EROFS_ACCEL_E_NO_MEMORY;
    case QPL_STS_BUFFER_TOO_LARGE_ERR:
    case QPL_STS_SIZE_ERR:
    case QPL_STS_NOT_SUPPORTED_BY_WQ:
    case QPL_STS_NOT_SUPPORTED_MODE_ERR: return EROFS_ACCEL_E_UNSUPPORTED;
    case QPL_STS_INIT_HW_NOT_SUPPORTED: return EROFS_ACCEL_E_NO_HARDWARE;
    case QPL_STS_INIT_LIBACCEL_NOT_FOUND:
    case QPL_STS_INIT_LIBACCEL_ERROR:
    case QPL_STS_INIT_WORK_QUEUES_NOT_AVAILABLE: return EROFS_ACCEL_E_INIT_FAILED;
    default: break;
    }
    /* DEFLATE stream errors (bad codes, lengths, distances, block types) are operation errors 200..299, except the
     * internal ones handled as device failures. */
    if (s >= 200u && s < 300u) {
        switch (status) {
        case QPL_STS_INTL_AECS_ERR:
        case QPL_STS_INTL_DIST_SPANS_MINI_BLOCKS:
        case QPL_STS_INTL_LEN_SPANS_MINI_BLOCKS:
        case QPL_STS_INTL_VERIF_INVALID_BLOCK_SIZE:
        case QPL_STS_INTL_VERIFY_ERR:
        case QPL_STS_INTL_INVALID_COUNT: return EROFS_ACCEL_E_BACKEND_FAILURE;
        default: return EROFS_ACCEL_E_CORRUPT_DATA;
        }
    }
    if (s >= 500u) return EROFS_ACCEL_E_INIT_FAILED;
    return EROFS_ACCEL_E_BACKEND_FAILURE;
}

/* Turns QPL's answer for a finished job into the shim's verdict, checking the produced length. */
static int32_t finish(erofs_qpl_operation *op, qpl_status status) {
    qpl_job *job = op->job;
    erofs_accel_result *r = &op->result;
    int partial = (op->flags & EROFS_ACCEL_FLAG_PARTIAL) != 0;

    r->native_status = (int32_t)status;
    r->bytes_written = job->total_out;
    r->bytes_read = job->total_in;
    r->path_used = from_qpl_path(job->data_ptr.path);

    if (status == QPL_STS_OK) {
        /* QPL reports success on a truncated stream: only the exact length counts. */
        r->status = job->total_out == op->expected_len ? EROFS_ACCEL_OK : EROFS_ACCEL_E_WRONG_LENGTH;
    } else if (status == QPL_STS_MORE_OUTPUT_NEEDED && partial && job->total_out == op->expected_len) {
        /* The wanted prefix exists and the stream goes on: exactly what a partial decode asks for. */
        r->status = EROFS_ACCEL_OK;
    } else {
        r->status = map_status(status);
    }
    if (r->status != EROFS_ACCEL_OK) r->bytes_written = r->status == EROFS_ACCEL_E_WRONG_LENGTH ? job->total_out : 0;
    op->state = OP_DONE;
    return r->status;
}

static pthread_once_t version_once = PTHREAD_ONCE_INIT;
static char version_text[64];

static void format_version(void) {
    const char *v = qpl_get_library_version();
    snprintf(version_text, sizeof(version_text), "QPL %s", v != NULL ? v : "(unknown version)");
}

static const char *library_version(void) {
    pthread_once(&version_once, format_version);
    return version_text;
}

static int32_t probe(int32_t path, int32_t *native_status) {
    if (native_status != NULL) *native_status = 0;
    return path == EROFS_ACCEL_PATH_HARDWARE || path == EROFS_ACCEL_PATH_SOFTWARE ? EROFS_ACCEL_OK
                                                                                  : EROFS_ACCEL_E_UNSUPPORTED;
}

static void free_context(erofs_qpl_context *ctx) {
    for (uint32_t i = 0; i < ctx->initialised_jobs; i++) qpl_fini_job(ctx->operations[i].job);
    free(ctx->job_memory);
    free(ctx->operations);
    erofs_accel_pool_destroy(&ctx->pool);
    free(ctx);
}

static int32_t context_create(int32_t path, uint32_t pool_size, erofs_qpl_context **out, int32_t *native_status) {
    if (native_status != NULL) *native_status = 0;
    if (out == NULL) return EROFS_ACCEL_E_INVALID_ARGUMENT;
    *out = NULL;
    if (path != EROFS_ACCEL_PATH_HARDWARE && path != EROFS_ACCEL_PATH_SOFTWARE) return EROFS_ACCEL_E_UNSUPPORTED;
    if (pool_size == 0 || pool_size > MAX_POOL_SIZE) return EROFS_ACCEL_E_INVALID_ARGUMENT;

    qpl_path_t qpath = to_qpl_path(path);
    uint32_t job_size = 0;
    qpl_status st = qpl_get_job_size(qpath, &job_size);
    if (st != QPL_STS_OK || job_size == 0) {
        if (native_status != NULL) *native_status = (int32_t)st;
        return st != QPL_STS_OK ? map_status(st) : EROFS_ACCEL_E_BACKEND_FAILURE;
    }
    /* Keep every job 64-byte aligned inside the slab. */
    size_t stride = ((size_t)job_size + 63u) & ~(size_t)63u;

    erofs_qpl_context *ctx = calloc(1, sizeof(*ctx));
    if (ctx == NULL) return EROFS_ACCEL_E_NO_MEMORY;
    if (erofs_accel_pool_init(&ctx->pool, pool_size) != 0) {
        free(ctx);
        return EROFS_ACCEL_E_NO_MEMORY;
    }
    ctx->path = path;
    ctx->operations = calloc(pool_size, sizeof(erofs_qpl_operation));
    if (posix_memalign((void **)&ctx->job_memory, 64, stride * pool_size) != 0) ctx->job_memory = NULL;
    if (ctx->operations == NULL || ctx->job_memory == NULL) {
        free_context(ctx);
        return EROFS_ACCEL_E_NO_MEMORY;
    }
    memset(ctx->job_memory, 0, stride * pool_size);

    for (uint32_t i = 0; i < pool_size; i++) {
        erofs_qpl_operation *op = &ctx->operations[i];
        op->context = ctx;
        op->job = (qpl_job *)(ctx->job_memory + stride * i);
        st = qpl_init_job(qpath, op->job);
        /* A hardware init that fails leaves the job switched to the software path: refuse it, never run it. */
        if (st != QPL_STS_OK || op->job->data_ptr.path != qpath) {
            if (st == QPL_STS_OK) {
                qpl_fini_job(op->job);
            }
            if (native_status != NULL) *native_status = (int32_t)st;
            int32_t mapped = st != QPL_STS_OK ? map_status(st) : EROFS_ACCEL_E_INIT_FAILED;
            if (mapped == EROFS_ACCEL_E_BACKEND_FAILURE) mapped = EROFS_ACCEL_E_INIT_FAILED;
            free_context(ctx);
            return mapped;
        }
        ctx->initialised_jobs = i + 1;
    }
    *out = ctx;
    return EROFS_ACCEL_OK;
}

static int32_t context_path(const erofs_qpl_context *context) { return context != NULL ? context->path : 0; }

static uint32_t context_pool_size(const erofs_qpl_context *context) {
    return context != NULL ? context->pool.size : 0;
}

static uint32_t context_free_jobs(erofs_qpl_context *context) {
    return context != NULL ? erofs_accel_pool_free(&context->pool) : 0;
}

static int32_t context_destroy(erofs_qpl_context *context) {
    if (context == NULL) return EROFS_ACCEL_OK;
    if (erofs_accel_pool_free(&context->pool) != context->pool.size) return EROFS_ACCEL_E_INVALID_STATE;
    free_context(context);
    return EROFS_ACCEL_OK;
}

static erofs_qpl_operation *acquire(erofs_qpl_context *ctx) {
    int64_t slot = erofs_accel_pool_take(&ctx->pool);
    if (slot < 0) return NULL;
    erofs_qpl_operation *op = &ctx->operations[slot];
    op->state = OP_SUBMITTED;
    return op;
}

static void give_back(erofs_qpl_operation *op) {
    op->state = OP_FREE;
    erofs_accel_pool_give_back(&op->context->pool, (uint32_t)(op - op->context->operations));
}

static int32_t check_arguments(const erofs_qpl_context *ctx, const uint8_t *src, uint32_t src_len, const uint8_t *dst,
                               uint32_t dst_len, uint32_t expected_len, uint32_t flags) {
    return erofs_accel_check_decode(ctx, src, src_len, dst, dst_len, expected_len, flags, EROFS_ACCEL_FLAG_PARTIAL);
}

/* Prepares a pooled job for one complete raw-DEFLATE decode into exactly expected_len bytes. */
static void prepare(erofs_qpl_operation *op, const uint8_t *src, uint32_t src_len, uint8_t *dst, uint32_t expected_len,
                    uint32_t flags) {
    qpl_job *job = op->job;
    op->expected_len = expected_len;
    op->flags = flags;
    memset(&op->result, 0, sizeof(op->result));
    job->op = qpl_op_decompress;
    job->flags = QPL_FLAG_FIRST | QPL_FLAG_LAST;
    job->next_in_ptr = (uint8_t *)src;
    job->available_in = src_len;
    job->next_out_ptr = dst;
    /* Never more room than wanted: an over-long stream stops with MORE_OUTPUT_NEEDED instead of overrunning. */
    job->available_out = expected_len;
    job->total_in = 0;
    job->total_out = 0;
    job->dictionary = NULL;
    job->ignore_start_bits = 0;
    job->ignore_end_bits = 0;
    job->decomp_end_processing = (flags & EROFS_ACCEL_FLAG_PARTIAL) ? qpl_stop_on_bfinal_eob
                                                                    : qpl_stop_and_check_for_bfinal_eob;
}

static int32_t decompress(erofs_qpl_context *context, const uint8_t *src, uint32_t src_len, uint8_t *dst,
                          uint32_t dst_len, uint32_t expected_len, uint32_t flags, erofs_accel_result *result) {
    int32_t bad = check_arguments(context, src, src_len, dst, dst_len, expected_len, flags);
    if (bad != EROFS_ACCEL_OK) {
        erofs_accel_set_result(result, bad, 0);
        return bad;
    }
    erofs_qpl_operation *op = acquire(context);
    if (op == NULL) {
        erofs_accel_set_result(result, EROFS_ACCEL_E_BUSY, 0);
        return EROFS_ACCEL_E_BUSY;
    }
    prepare(op, src, src_len, dst, expected_len, flags);
    qpl_status st = qpl_execute_job(op->job);
    int32_t status = finish(op, st);
    if (result != NULL) *result = op->result;
    give_back(op);
    return status;
}

static int32_t submit(erofs_qpl_context *context, const uint8_t *src, uint32_t src_len, uint8_t *dst, uint32_t dst_len,
                      uint32_t expected_len, uint32_t flags, erofs_qpl_operation **operation,
                      erofs_accel_result *result) {
    if (operation != NULL) *operation = NULL;
    int32_t bad = operation == NULL ? EROFS_ACCEL_E_INVALID_ARGUMENT
                                    : check_arguments(context, src, src_len, dst, dst_len, expected_len, flags);
    if (bad != EROFS_ACCEL_OK) {
        erofs_accel_set_result(result, bad, 0);
        return bad;
    }
    erofs_qpl_operation *op = acquire(context);
    if (op == NULL) {
        erofs_accel_set_result(result, EROFS_ACCEL_E_BUSY, 0);
        return EROFS_ACCEL_E_BUSY;
    }
    prepare(op, src, src_len, dst, expected_len, flags);
    qpl_status st = qpl_submit_job(op->job);
    /* The software path decodes inside qpl_submit_job, so its answer is final; a failed submission is final too. */
    if (context->path == EROFS_ACCEL_PATH_SOFTWARE || st != QPL_STS_OK) {
        int32_t status = finish(op, st);
        if (result != NULL) *result = op->result;
        if (status != EROFS_ACCEL_OK) {
            give_back(op);
            return status;
        }
        *operation = op;
        return EROFS_ACCEL_OK;
    }
    erofs_accel_set_result(result, EROFS_ACCEL_PENDING, (int32_t)st);
    *operation = op;
    return EROFS_ACCEL_PENDING;
}

static int32_t operation_poll(erofs_qpl_operation *operation, erofs_accel_result *result) {
    if (operation == NULL || operation->state == OP_FREE) {
        erofs_accel_set_result(result, EROFS_ACCEL_E_INVALID_STATE, 0);
        return EROFS_ACCEL_E_INVALID_STATE;
    }
    if (operation->state == OP_SUBMITTED) {
        qpl_status st = qpl_check_job(operation->job);
        if (st == QPL_STS_BEING_PROCESSED) {
            erofs_accel_set_result(result, EROFS_ACCEL_PENDING, (int32_t)st);
            return EROFS_ACCEL_PENDING;
        }
        finish(operation, st);
    }
    if (result != NULL) *result = operation->result;
    return operation->result.status;
}

static int32_t operation_wait(erofs_qpl_operation *operation, erofs_accel_result *result) {
    if (operation == NULL || operation->state == OP_FREE) {
        erofs_accel_set_result(result, EROFS_ACCEL_E_INVALID_STATE, 0);
        return EROFS_ACCEL_E_INVALID_STATE;
    }
    if (operation->state == OP_SUBMITTED) finish(operation, qpl_wait_job(operation->job));
    if (result != NULL) *result = operation->result;
    return operation->result.status;
}

static void operation_release(erofs_qpl_operation *operation) {
    if (operation == NULL || operation->state == OP_FREE) return;
    /* The device may still read src and write dst: never recycle a running job. */
    if (operation->state == OP_SUBMITTED) finish(operation, qpl_wait_job(operation->job));
    give_back(operation);
}

static void set_log_sink(erofs_accel_log_sink sink, int32_t max_level) { erofs_accel_set_sink(sink, max_level); }

EROFS_ACCEL_DEFINE_EXPORTS("qpl")

/* ---- benchmark baseline: plain QPL ------------------------------------------------------------------------- */

EROFS_ACCEL_EXPORT int32_t erofs_qpl_direct_job_create(int32_t path, void **job) {
    if (job == NULL) return QPL_STS_NULL_PTR_ERR;
    *job = NULL;
    qpl_path_t qpath = to_qpl_path(path);
    uint32_t size = 0;
    qpl_status st = qpl_get_job_size(qpath, &size);
    if (st != QPL_STS_OK) return (int32_t)st;
    qpl_job *j = NULL;
    if (posix_memalign((void **)&j, 64, size) != 0) return QPL_STS_NO_MEM_ERR;
    memset(j, 0, size);
    st = qpl_init_job(qpath, j);
    if (st != QPL_STS_OK) {
        free(j);
        return (int32_t)st;
    }
    *job = j;
    return QPL_STS_OK;
}

EROFS_ACCEL_EXPORT int32_t erofs_qpl_direct_decompress(void *job, const uint8_t *src, uint32_t src_len, uint8_t *dst,
                                                       uint32_t dst_len, uint32_t *written) {
    qpl_job *j = job;
    j->op = qpl_op_decompress;
    j->flags = QPL_FLAG_FIRST | QPL_FLAG_LAST;
    j->next_in_ptr = (uint8_t *)src;
    j->available_in = src_len;
    j->next_out_ptr = dst;
    j->available_out = dst_len;
    qpl_status st = qpl_execute_job(j);
    if (written != NULL) *written = j->total_out;
    return (int32_t)st;
}

EROFS_ACCEL_EXPORT void erofs_qpl_direct_job_destroy(void *job) {
    if (job == NULL) return;
    qpl_fini_job(job);
    free(job);
}
