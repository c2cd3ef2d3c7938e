/* Raw LZ4 block decoding (no frame). Two layouts:
 *  lz4_items  - one work-item decodes one item (CPU devices);
 *  lz4_groups - one work-group per item: work-item 0 parses sequences into copy commands, the group copies. */

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

/* Parser state of work-item 0 in the group layout. */
typedef struct {
    uint ip, iend, op, ostart, oend, partial, in_len, out_cap;
    uint status, done;
} lz4_group_state;

/* Parses sequences into at most GROUP_CMDS - 1 commands. Returns the number of commands; sets s->done at the end. */
static uint lz4_group_parse(__global const uchar* in, lz4_group_state* s, __local copy_cmd* cmds)
{
    uint n = 0u;
    uint ip = s->ip, op = s->op;
    const uint iend = s->iend, oend = s->oend;
    while (n + 2u <= GROUP_CMDS) {
        if (s->partial && op == oend) { s->status = ST_OK; s->done = 1u; break; }
        if (ip >= iend) { s->status = op == oend ? ST_OK : ST_TRUNCATED; s->done = 1u; break; }
        const uint token = in[ip++];
        uint lit = token >> 4;
        if (lit == 15u && !lz4_read_ext(in, &ip, iend, &lit, s->in_len)) { s->status = ST_TRUNCATED; s->done = 1u; break; }
        if (lit > 0u) {
            const uint room = oend - op;
            const uint k = lit < room ? lit : room;
            if (k > iend - ip) { s->status = ST_TRUNCATED; s->done = 1u; break; }
            if (k > 0u) {
                copy_cmd c; c.dst = op; c.len = k; c.src = ip; c.kind = CMD_LITERAL;
                cmds[n++] = c;
            }
            op += k;
            if (k < lit) { s->status = s->partial ? ST_OK : ST_OVERFLOW; s->done = 1u; break; }
            ip += lit;
        }
        if (ip == iend) { s->status = op == oend ? ST_OK : ST_SHORT; s->done = 1u; break; }
        if (iend - ip < 2u) { s->status = ST_TRUNCATED; s->done = 1u; break; }
        const uint dist = (uint)in[ip] | ((uint)in[ip + 1u] << 8);
        ip += 2u;
        uint mlen = token & 15u;
        if (mlen == 15u && !lz4_read_ext(in, &ip, iend, &mlen, s->out_cap)) { s->status = ST_TRUNCATED; s->done = 1u; break; }
        mlen += 4u;
        if (dist == 0u || dist > op - s->ostart) { s->status = ST_CORRUPT; s->done = 1u; break; }
        const uint room = oend - op;
        const uint k = mlen < room ? mlen : room;
        if (k > 0u) {
            copy_cmd c; c.dst = op; c.len = k; c.src = dist; c.kind = CMD_MATCH;
            cmds[n++] = c;
        }
        op += k;
        if (k < mlen) { s->status = s->partial ? ST_OK : ST_OVERFLOW; s->done = 1u; break; }
    }
    s->ip = ip;
    s->op = op;
    return n;
}

__kernel void lz4_groups(__global const uchar* restrict in, uint in_size,
                         __global uchar* restrict out, uint out_size,
                         __global const item_desc* restrict descs, __global item_result* restrict results,
                         uint first, uint count)
{
    const uint grp = (uint)get_group_id(0);
    if (grp >= count) return;   /* uniform for the whole group */
    const uint idx = first + grp;
    const uint lid = (uint)get_local_id(0);
    const uint lsz = (uint)get_local_size(0);
    __local copy_cmd cmds[GROUP_CMDS];
    __local uint sh_n, sh_done;
    lz4_group_state s;
    if (lid == 0u) {
        const item_desc d = descs[idx];
        s.ip = d.in_off; s.iend = d.in_off + d.in_len;
        s.op = d.out_off; s.ostart = d.out_off; s.oend = d.out_off + d.out_cap;
        s.partial = d.flags & FLAG_PARTIAL; s.in_len = d.in_len; s.out_cap = d.out_cap;
        s.status = ST_OK; s.done = 0u;
        if (!desc_is_valid(d, in_size, out_size)) {
            s.status = ST_BAD_DESC; s.done = 1u; s.op = s.ostart;
        }
    }
    for (;;) {   /* every round but the last emits GROUP_CMDS - 1 non-empty copies */
        if (lid == 0u) {
            sh_n = s.done ? 0u : lz4_group_parse(in, &s, cmds);
            sh_done = s.done;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        const uint n = sh_n;
        const uint done = sh_done;
        group_run_cmds(in, out, cmds, n, lid, lsz);
        if (done) break;
    }
    if (lid == 0u) {
        item_result r;
        r.status = s.status;
        r.produced = s.op - s.ostart;
        results[idx] = r;
    }
}
