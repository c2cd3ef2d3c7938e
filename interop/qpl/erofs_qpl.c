/* erofs-accel QPL shim: see erofs_qpl.h for the contract. */
#include "erofs_qpl.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <qpl/qpl.h>

#define MAX_POOL_SIZE 1024u

enum operation_state { OP_FREE = 0, OP_SUBMITTED = 1, OP_DONE = 2 };

struct erofs_qpl_operation {
    erofs_qpl_context *context;
    qpl_job *job;
    uint32_t expected_len;
    uint32_t flags;
    int state;
    erofs_accel_result result;
};

struct erofs_qpl_context {
    int32_t path;
    uint32_t pool_size;
    pthread_mutex_t lock;
    uint32_t free_count;
    uint32_t *free_stack;             /* indices of free operations */
    erofs_qpl_operation *operations;  /* pool_size entries */
    uint8_t *job_memory;              /* pool_size * job_size bytes */
    uint32_t initialised_jobs;        /* jobs that went through qpl_init_job successfully */
};

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

static void set_result(erofs_accel_result *result, int32_t status, int32_t native_status) {
    if (result == NULL) return;
    memset(result, 0, sizeof(*result));
    result->status = status;
    result->native_status = native_status;
}

EROFS_ACCEL_EXPORT uint32_t erofs_qpl_abi_version(void) { return EROFS_QPL_ABI_VERSION; }

EROFS_ACCEL_EXPORT const char *erofs_qpl_library_version(void) {
    const char *v = qpl_get_library_version();
    return v != NULL ? v : "unknown";
}

static void free_context(erofs_qpl_context *ctx) {
    for (uint32_t i = 0; i < ctx->initialised_jobs; i++) qpl_fini_job(ctx->operations[i].job);
    free(ctx->job_memory);
    free(ctx->operations);
    free(ctx->free_stack);
    pthread_mutex_destroy(&ctx->lock);
    free(ctx);
}

EROFS_ACCEL_EXPORT int32_t erofs_qpl_context_create(int32_t path, uint32_t pool_size, erofs_qpl_context **out,
                                                    int32_t *native_status) {
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
    if (pthread_mutex_init(&ctx->lock, NULL) != 0) {
        free(ctx);
        return EROFS_ACCEL_E_NO_MEMORY;
    }
    ctx->path = path;
    ctx->pool_size = pool_size;
    ctx->operations = calloc(pool_size, sizeof(erofs_qpl_operation));
    ctx->free_stack = calloc(pool_size, sizeof(uint32_t));
    if (posix_memalign((void **)&ctx->job_memory, 64, stride * pool_size) != 0) ctx->job_memory = NULL;
    if (ctx->operations == NULL || ctx->free_stack == NULL || ctx->job_memory == NULL) {
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
        ctx->free_stack[i] = pool_size - 1 - i;
    }
    ctx->free_count = pool_size;
    *out = ctx;
    return EROFS_ACCEL_OK;
}

EROFS_ACCEL_EXPORT int32_t erofs_qpl_context_path(const erofs_qpl_context *context) {
    return context != NULL ? context->path : 0;
}

EROFS_ACCEL_EXPORT uint32_t erofs_qpl_context_pool_size(const erofs_qpl_context *context) {
    return context != NULL ? context->pool_size : 0;
}

EROFS_ACCEL_EXPORT uint32_t erofs_qpl_context_free_jobs(erofs_qpl_context *context) {
    if (context == NULL) return 0;
    pthread_mutex_lock(&context->lock);
    uint32_t n = context->free_count;
    pthread_mutex_unlock(&context->lock);
    return n;
}

EROFS_ACCEL_EXPORT int32_t erofs_qpl_context_destroy(erofs_qpl_context *context) {
    if (context == NULL) return EROFS_ACCEL_OK;
    pthread_mutex_lock(&context->lock);
    int busy = context->free_count != context->pool_size;
    pthread_mutex_unlock(&context->lock);
    if (busy) return EROFS_ACCEL_E_INVALID_STATE;
    free_context(context);
    return EROFS_ACCEL_OK;
}

static erofs_qpl_operation *acquire(erofs_qpl_context *ctx) {
    erofs_qpl_operation *op = NULL;
    pthread_mutex_lock(&ctx->lock);
    if (ctx->free_count > 0) {
        op = &ctx->operations[ctx->free_stack[--ctx->free_count]];
        op->state = OP_SUBMITTED;
    }
    pthread_mutex_unlock(&ctx->lock);
    return op;
}

static void give_back(erofs_qpl_operation *op) {
    erofs_qpl_context *ctx = op->context;
    pthread_mutex_lock(&ctx->lock);
    op->state = OP_FREE;
    ctx->free_stack[ctx->free_count++] = (uint32_t)(op - ctx->operations);
    pthread_mutex_unlock(&ctx->lock);
}

static int32_t check_arguments(const erofs_qpl_context *ctx, const uint8_t *src, uint32_t src_len, const uint8_t *dst,
                               uint32_t dst_len, uint32_t expected_len, uint32_t flags) {
    if (ctx == NULL || src == NULL || dst == NULL || src_len == 0 || expected_len == 0) return EROFS_ACCEL_E_INVALID_ARGUMENT;
    if (dst_len < expected_len) return EROFS_ACCEL_E_INVALID_ARGUMENT;
    if ((flags & ~EROFS_ACCEL_FLAG_PARTIAL) != 0) return EROFS_ACCEL_E_UNSUPPORTED;
    return EROFS_ACCEL_OK;
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

EROFS_ACCEL_EXPORT int32_t erofs_qpl_decompress(erofs_qpl_context *context, const uint8_t *src, uint32_t src_len,
                                                uint8_t *dst, uint32_t dst_len, uint32_t expected_len, uint32_t flags,
                                                erofs_accel_result *result) {
    int32_t bad = check_arguments(context, src, src_len, dst, dst_len, expected_len, flags);
    if (bad != EROFS_ACCEL_OK) {
        set_result(result, bad, 0);
        return bad;
    }
    erofs_qpl_operation *op = acquire(context);
    if (op == NULL) {
        set_result(result, EROFS_ACCEL_E_BUSY, 0);
        return EROFS_ACCEL_E_BUSY;
    }
    prepare(op, src, src_len, dst, expected_len, flags);
    qpl_status st = qpl_execute_job(op->job);
    int32_t status = finish(op, st);
    if (result != NULL) *result = op->result;
    give_back(op);
    return status;
}

EROFS_ACCEL_EXPORT int32_t erofs_qpl_submit(erofs_qpl_context *context, const uint8_t *src, uint32_t src_len,
                                            uint8_t *dst, uint32_t dst_len, uint32_t expected_len, uint32_t flags,
                                            erofs_qpl_operation **operation, erofs_accel_result *result) {
    if (operation != NULL) *operation = NULL;
    int32_t bad = operation == NULL ? EROFS_ACCEL_E_INVALID_ARGUMENT
                                    : check_arguments(context, src, src_len, dst, dst_len, expected_len, flags);
    if (bad != EROFS_ACCEL_OK) {
        set_result(result, bad, 0);
        return bad;
    }
    erofs_qpl_operation *op = acquire(context);
    if (op == NULL) {
        set_result(result, EROFS_ACCEL_E_BUSY, 0);
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
    set_result(result, EROFS_ACCEL_PENDING, (int32_t)st);
    *operation = op;
    return EROFS_ACCEL_PENDING;
}

EROFS_ACCEL_EXPORT int32_t erofs_qpl_poll(erofs_qpl_operation *operation, erofs_accel_result *result) {
    if (operation == NULL || operation->state == OP_FREE) {
        set_result(result, EROFS_ACCEL_E_INVALID_STATE, 0);
        return EROFS_ACCEL_E_INVALID_STATE;
    }
    if (operation->state == OP_SUBMITTED) {
        qpl_status st = qpl_check_job(operation->job);
        if (st == QPL_STS_BEING_PROCESSED) {
            set_result(result, EROFS_ACCEL_PENDING, (int32_t)st);
            return EROFS_ACCEL_PENDING;
        }
        finish(operation, st);
    }
    if (result != NULL) *result = operation->result;
    return operation->result.status;
}

EROFS_ACCEL_EXPORT int32_t erofs_qpl_wait(erofs_qpl_operation *operation, erofs_accel_result *result) {
    if (operation == NULL || operation->state == OP_FREE) {
        set_result(result, EROFS_ACCEL_E_INVALID_STATE, 0);
        return EROFS_ACCEL_E_INVALID_STATE;
    }
    if (operation->state == OP_SUBMITTED) finish(operation, qpl_wait_job(operation->job));
    if (result != NULL) *result = operation->result;
    return operation->result.status;
}

EROFS_ACCEL_EXPORT void erofs_qpl_release(erofs_qpl_operation *operation) {
    if (operation == NULL || operation->state == OP_FREE) return;
    /* The device may still read src and write dst: never recycle a running job. */
    if (operation->state == OP_SUBMITTED) finish(operation, qpl_wait_job(operation->job));
    give_back(operation);
}
