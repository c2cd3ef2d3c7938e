/* Raw LZ4 block decoding (no frame). Two layouts:
 *  lz4_items  - one work-item decodes one item (CPU devices);
 *  lz4_groups - one work-group per item (GPUs): every work-item parses the same sequences, the group copies each
 *               sequence's literals and match together through a ring of the newest output in local memory. */

/* Reads an LZ4 length extension (bytes of 255 continue). Returns 0 on truncation; stops adding once the value
 * exceeds limit (the caller then fails or clamps), so it never wraps. */
static inline int lz4_read_ext(__global const uchar* in, uint* ip, uint iend, uint* value, uint limit)
{
    uint p = *ip, v = *value, b;
    do {
        if (p >= iend) return 0;
        b = in[p++];
        if (v <= limit) v += b;
    } while (b == 255u);
    *ip = p;
    *value = v;
    return 1;
}

__kernel void lz4_items(__global const uchar* restrict in, uint in_size,
                        __global uchar* restrict out, uint out_size,
                        __global const item_desc* restrict descs, __global item_result* restrict results,
                        uint first, uint count)
{
    uint g = (uint)get_global_id(0);
    if (g >= count) return;
    uint idx = first + g;
    const item_desc d = descs[idx];
    item_result r;
    r.produced = 0u;
    if (!desc_is_valid(d, in_size, out_size)) {
        r.status = ST_BAD_DESC;
        results[idx] = r;
        return;
    }
    const uint partial = d.flags & FLAG_PARTIAL;
    uint ip = d.in_off;
    const uint iend = d.in_off + d.in_len;
    uint op = d.out_off;
    const uint ostart = d.out_off;
    const uint oend = d.out_off + d.out_cap;
    uint status;

    for (;;) {   /* every pass consumes at least one input byte */
        if (partial && op == oend) { status = ST_OK; break; }
        if (ip >= iend) { status = op == oend ? ST_OK : ST_TRUNCATED; break; }
        const uint token = in[ip++];
        uint lit = token >> 4;
        if (lit < 15u && iend - ip >= 18u && oend - op >= 16u) {
            /* short literal run with room on both sides: one 16-byte copy; at least 4 input bytes remain after
             * it, so a match follows */
            store_u64(out + op, load_u64(in + ip));
            store_u64(out + op + 8u, load_u64(in + ip + 8u));
            op += lit;
            ip += lit;
        } else {
            if (lit == 15u && !lz4_read_ext(in, &ip, iend, &lit, d.in_len)) { status = ST_TRUNCATED; break; }
            if (lit > 0u) {
                const uint room = oend - op;
                const uint n = lit < room ? lit : room;
                if (n > iend - ip) { status = ST_TRUNCATED; break; }
                copy_from_input(in, ip, iend, out, op, oend, n);
                op += n;
                if (n < lit) { status = partial ? ST_OK : ST_OVERFLOW; break; }
                ip += lit;
            }
            if (ip == iend) { status = op == oend ? ST_OK : ST_SHORT; break; }   /* last sequence: literals only */
        }
        if (iend - ip < 2u) { status = ST_TRUNCATED; break; }
        const uint dist = (uint)in[ip] | ((uint)in[ip + 1u] << 8);
        ip += 2u;
        uint mlen = token & 15u;
        if (mlen < 15u && dist >= 8u && dist <= op - ostart && oend - op >= 24u) {
            /* short match (at most 18 bytes) far enough back: three 8-byte copies */
            __global uchar* dst = out + op;
            store_u64(dst, load_u64(dst - dist));
            store_u64(dst + 8u, load_u64(dst + 8u - dist));
            store_u64(dst + 16u, load_u64(dst + 16u - dist));
            op += mlen + 4u;
            continue;
        }
        if (mlen == 15u && !lz4_read_ext(in, &ip, iend, &mlen, d.out_cap)) { status = ST_TRUNCATED; break; }
        mlen += 4u;
        if (dist == 0u || dist > op - ostart) { status = ST_CORRUPT; break; }
        const uint room = oend - op;
        const uint n = mlen < room ? mlen : room;
        copy_match(out, op, oend, dist, n);
        op += n;
        if (n < mlen) { status = partial ? ST_OK : ST_OVERFLOW; break; }
    }
    r.status = status;
    r.produced = op - ostart;
    results[idx] = r;
}

/* Group layout. Every work-item runs the same parser over the same bytes, so all hold the same state: control flow
 * and barriers are uniform without passing anything through local memory. The newest output lives in a local ring
 * of 2^ring_bits bytes (chosen by the host per launch) so that back-references read local memory; the ring goes out
 * to the item's global output when a sequence would overwrite bytes not written out yet, and references older than
 * the ring read that global copy. A sequence longer than the whole ring is copied global to global.
 * Positions below are relative to the item: ip in [0, in_len), op in [0, out_cap). */

/* Writes ring positions [from, to) to dst (the whole group, consecutive bytes per work-item: coalesced). */
static void lz4g_flush(__global uchar* dst, __local const uchar* ring, uint rmask, uint from, uint to, uint lid, uint lsz)
{
    barrier(CLK_LOCAL_MEM_FENCE);                  /* every ring write is visible */
    for (uint p = from + lid; p < to; p += lsz)
        dst[p] = ring[p & rmask];
    barrier(CLK_GLOBAL_MEM_FENCE);                 /* and every global write, for references older than the ring */
}

#define LZ4G_GOING 0xFFFFFFFFu

__kernel void lz4_groups(__global const uchar* restrict in, uint in_size,
                         __global uchar* restrict out, uint out_size,
                         __global const item_desc* restrict descs, __global item_result* restrict results,
                         uint first, uint count, __local uchar* ring, uint ring_bits)
{
    const uint grp = (uint)get_group_id(0);
    if (grp >= count) return;   /* uniform for the whole group */
    const uint idx = first + grp;
    const uint lid = (uint)get_local_id(0);
    const uint lsz = (uint)get_local_size(0);
    const item_desc d = descs[idx];
    if (!desc_is_valid(d, in_size, out_size)) {
        if (lid == 0u) { item_result r; r.status = ST_BAD_DESC; r.produced = 0u; results[idx] = r; }
        return;
    }
    __global const uchar* src = in + d.in_off;
    __global uchar* dst = out + d.out_off;
    const uint iend = d.in_len, oend = d.out_cap, partial = d.flags & FLAG_PARTIAL;
    const uint rsize = 1u << ring_bits, rmask = rsize - 1u;
    uint ip = 0u, op = 0u;
    uint flushed = 0u;   /* dst[0, flushed) holds the output, visible to the whole group */
    uint ringlo = 0u;    /* the ring holds no position below this (a sequence went global to global) */
    uint synced = 0u;    /* ring writes below this position are visible to the whole group */
    uint status;
    for (;;) {   /* every pass consumes at least one input byte */
        if (partial && op == oend) { status = ST_OK; break; }
        if (ip >= iend) { status = op == oend ? ST_OK : ST_TRUNCATED; break; }
        const uint token = src[ip++];
        uint lit = token >> 4;
        if (lit == 15u && !lz4_read_ext(src, &ip, iend, &lit, d.in_len)) { status = ST_TRUNCATED; break; }
        const uint klit = lit < oend - op ? lit : oend - op;
        if (klit > iend - ip) { status = ST_TRUNCATED; break; }
        /* the whole sequence first: how many literal and match bytes to copy, and how it ends */
        const uint litpos = ip;
        const uint mop = op + klit;
        uint kmatch = 0u, dist = 0u, ends = LZ4G_GOING;
        if (klit < lit) {
            ends = partial ? ST_OK : ST_OVERFLOW;
        } else {
            ip += lit;
            if (ip == iend) {
                ends = mop == oend ? ST_OK : ST_SHORT;   /* last sequence: literals only */
            } else if (iend - ip < 2u) {
                ends = ST_TRUNCATED;
            } else {
                dist = (uint)src[ip] | ((uint)src[ip + 1u] << 8);
                ip += 2u;
                uint mlen = token & 15u;
                if (mlen == 15u && !lz4_read_ext(src, &ip, iend, &mlen, d.out_cap)) {
                    ends = ST_TRUNCATED;
                } else {
                    mlen += 4u;
                    if (dist == 0u || dist > mop) {
                        ends = ST_CORRUPT;
                    } else {
                        kmatch = mlen < oend - mop ? mlen : oend - mop;
                        if (kmatch < mlen) ends = partial ? ST_OK : ST_OVERFLOW;
                    }
                }
            }
        }
        const uint n = klit + kmatch;
        if (n > rsize) {
            /* longer than the ring: out with what the ring holds, then global to global */
            lz4g_flush(dst, ring, rmask, flushed, op, lid, lsz);
            for (uint j = lid; j < klit; j += lsz)
                dst[op + j] = src[litpos + j];
            if (kmatch > 0u) {
                barrier(CLK_GLOBAL_MEM_FENCE);
                const uint from = mop - dist;
                for (uint j = lid; j < kmatch; j += lsz)
                    dst[mop + j] = dst[from + (j < dist ? j : j % dist)];
            }
            barrier(CLK_GLOBAL_MEM_FENCE);
            flushed = ringlo = synced = op + n;
        } else if (n > 0u) {
            if (op + n - flushed > rsize) {   /* the sequence would overwrite ring bytes not written out yet */
                lz4g_flush(dst, ring, rmask, flushed, op, lid, lsz);
                flushed = synced = op;
            }
            for (uint j = lid; j < klit; j += lsz)
                ring[(op + j) & rmask] = src[litpos + j];
            if (kmatch > 0u) {
                const uint from = mop - dist;                       /* sources: [from, from + min(dist, kmatch)) */
                const uint span = kmatch < dist ? kmatch : dist;
                if (from + span > synced) {
                    barrier(CLK_LOCAL_MEM_FENCE);
                    synced = mop;
                }
                /* ring slots of positions below this are (or may get) overwritten: read those from global */
                const uint over = op + n > rsize ? op + n - rsize : 0u;
                const uint inring = ringlo > over ? ringlo : over;
                for (uint j = lid; j < kmatch; j += lsz) {
                    const uint q = from + (j < dist ? j : j % dist);
                    ring[(mop + j) & rmask] = q >= inring ? ring[q & rmask] : dst[q];
                }
            }
        }
        op += n;
        if (ends != LZ4G_GOING) { status = ends; break; }
    }
    if (op > flushed) lz4g_flush(dst, ring, rmask, flushed, op, lid, lsz);
    if (lid == 0u) {
        item_result r;
        r.status = status;
        r.produced = op;
        results[idx] = r;
    }
}
