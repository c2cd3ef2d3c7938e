/*
 * Pieces every erofs-accel shim shares (header-only, static functions): the job pool (a fixed set of slots handed
 * out and given back under a mutex), result helpers, and the log sink the library's log lines are routed to.
 */
#ifndef EROFS_ACCEL_COMMON_H
#define EROFS_ACCEL_COMMON_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "erofs_accel_shim.h"

/* ---- job pool ------------------------------------------------------------------------------------------------ */

typedef struct erofs_accel_pool {
    pthread_mutex_t lock;
    uint32_t size;
    uint32_t free_count;
    uint32_t *free_stack; /* indices of free slots; the top is handed out next */
} erofs_accel_pool;

/* 0 on success; every slot starts free. */
static inline int erofs_accel_pool_init(erofs_accel_pool *pool, uint32_t size) {
    memset(pool, 0, sizeof(*pool));
    if (pthread_mutex_init(&pool->lock, NULL) != 0) return -1;
    pool->free_stack = calloc(size, sizeof(uint32_t));
    if (pool->free_stack == NULL) {
        pthread_mutex_destroy(&pool->lock);
        return -1;
    }
    pool->size = size;
    for (uint32_t i = 0; i < size; i++) pool->free_stack[i] = size - 1 - i;
    pool->free_count = size;
    return 0;
}

static inline void erofs_accel_pool_destroy(erofs_accel_pool *pool) {
    if (pool->free_stack == NULL) return;
    free(pool->free_stack);
    pool->free_stack = NULL;
    pthread_mutex_destroy(&pool->lock);
}

/* A free slot's index, or -1 when all are taken. */
static inline int64_t erofs_accel_pool_take(erofs_accel_pool *pool) {
    int64_t slot = -1;
    pthread_mutex_lock(&pool->lock);
    if (pool->free_count > 0) slot = pool->free_stack[--pool->free_count];
    pthread_mutex_unlock(&pool->lock);
    return slot;
}

static inline void erofs_accel_pool_give_back(erofs_accel_pool *pool, uint32_t slot) {
    pthread_mutex_lock(&pool->lock);
    pool->free_stack[pool->free_count++] = slot;
    pthread_mutex_unlock(&pool->lock);
}

static inline uint32_t erofs_accel_pool_free(erofs_accel_pool *pool) {
    pthread_mutex_lock(&pool->lock);
    uint32_t n = pool->free_count;
    pthread_mutex_unlock(&pool->lock);
    return n;
}

/* ---- results ------------------------------------------------------------------------------------------------- */

static inline void erofs_accel_set_result(erofs_accel_result *result, int32_t status, int32_t native_status) {
    if (result == NULL) return;
    memset(result, 0, sizeof(*result));
    result->status = status;
    result->native_status = native_status;
}

/* The argument checks every decode entry point makes; supported_flags are the flags this shim takes. */
static inline int32_t erofs_accel_check_decode(const void *context, const uint8_t *src, uint32_t src_len,
                                               const uint8_t *dst, uint32_t dst_len, uint32_t expected_len,
                                               uint32_t flags, uint32_t supported_flags) {
    if (context == NULL || src == NULL || dst == NULL || src_len == 0 || expected_len == 0)
        return EROFS_ACCEL_E_INVALID_ARGUMENT;
    if (dst_len < expected_len) return EROFS_ACCEL_E_INVALID_ARGUMENT;
    if ((flags & ~supported_flags) != 0) return EROFS_ACCEL_E_UNSUPPORTED;
    return EROFS_ACCEL_OK;
}

/* ---- library log lines --------------------------------------------------------------------------------------- */

static _Atomic(erofs_accel_log_sink) erofs_accel_sink;
static _Atomic int32_t erofs_accel_sink_level;

static inline void erofs_accel_set_sink(erofs_accel_log_sink sink, int32_t max_level) {
    atomic_store(&erofs_accel_sink_level, max_level);
    atomic_store(&erofs_accel_sink, sink);
}

static inline int erofs_accel_log_wanted(int32_t level) {
    return atomic_load(&erofs_accel_sink) != NULL && level <= atomic_load(&erofs_accel_sink_level);
}

/* Formats one line (trailing newlines dropped, at most 511 bytes) and hands it to the sink. */
static inline void erofs_accel_vlog(int32_t level, const char *prefix, const char *format, va_list args) {
    erofs_accel_log_sink sink = atomic_load(&erofs_accel_sink);
    if (sink == NULL || level > atomic_load(&erofs_accel_sink_level)) return;
    char line[512];
    int used = prefix != NULL ? snprintf(line, sizeof(line), "%s", prefix) : 0;
    if (used < 0) used = 0;
    if ((size_t)used < sizeof(line)) vsnprintf(line + used, sizeof(line) - (size_t)used, format, args);
    size_t n = strlen(line);
    while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
    if (n > 0) sink(level, line);
}

/* ---- the export table ---------------------------------------------------------------------------------------- */

/*
 * Defines the shim's export table and erofs_accel_shim_exports() from the static functions every shim implements
 * under these names: library_version, probe, context_create, context_path, context_pool_size, context_free_jobs,
 * context_destroy, decompress, submit, operation_poll, operation_wait, operation_release, set_log_sink.
 */
#define EROFS_ACCEL_DEFINE_EXPORTS(shim_name)                                                                     \
    static const erofs_accel_shim_table exports = {                                                               \
        .abi_version = EROFS_ACCEL_SHIM_ABI_VERSION,                                                              \
        .size = sizeof(erofs_accel_shim_table),                                                                   \
        .name = shim_name,                                                                                        \
        .library_version = library_version,                                                                       \
        .probe = probe,                                                                                           \
        .context_create = context_create,                                                                         \
        .context_path = context_path,                                                                             \
        .context_pool_size = context_pool_size,                                                                   \
        .context_free_jobs = context_free_jobs,                                                                   \
        .context_destroy = context_destroy,                                                                       \
        .decompress = decompress,                                                                                 \
        .submit = submit,                                                                                         \
        .poll = operation_poll,                                                                                   \
        .wait = operation_wait,                                                                                   \
        .release = operation_release,                                                                             \
        .set_log_sink = set_log_sink,                                                                             \
    };                                                                                                            \
    EROFS_ACCEL_EXPORT const erofs_accel_shim_table *erofs_accel_shim_exports(void) { return &exports; }

#endif
