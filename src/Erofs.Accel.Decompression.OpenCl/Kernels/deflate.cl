/* Raw DEFLATE batch kernels: deflate_items (one work-item per item, tables in private memory) and deflate_groups
 * (one work-group per item: one work-item decodes into a ring of the newest output in local memory; the group builds
 * each block's lookup tables, copies stored blocks and writes the ring out). */

static inline void df_init(inflate_state* s, const item_desc d, uint relative)
{
    s->buf = 0ul; s->bits = 0u; s->overrun = 0u;
    s->ip = d.in_off; s->iend = d.in_off + d.in_len;
    s->ostart = relative ? 0u : d.out_off;
    s->op = s->ostart; s->oend = s->ostart + d.out_cap;
    s->mode = DF_MODE_HEADER; s->stored_left = 0u; s->last = 0u;
    s->partial = d.flags & FLAG_PARTIAL;
    s->status = ST_OK; s->done = 0u; s->hlit = 0u; s->hdist = 0u;
}

__kernel void deflate_items(__global const uchar* restrict in, uint in_size,
                            __global uchar* restrict out, uint out_size,
                            __global const item_desc* restrict descs, __global item_result* restrict results,
                            uint first, uint count)
{
    const uint g = (uint)get_global_id(0);
    if (g >= count) return;
    const uint idx = first + g;
    const item_desc d = descs[idx];
    item_result r;
    if (!desc_is_valid(d, in_size, out_size)) {
        r.status = ST_BAD_DESC;
        r.produced = 0u;
        results[idx] = r;
        return;
    }
    inflate_tables_priv t;
    inflate_state s;
    df_init(&s, d, 0u);
    df_run_priv(in, out, &s, &t);
    r.status = s.status;
    r.produced = s.op - s.ostart;
    results[idx] = r;
}

__kernel void deflate_groups(__global const uchar* restrict in, uint in_size,
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
    __global uchar* dst = out + d.out_off;
    const uint rmask = (1u << ring_bits) - 1u;
    __local inflate_tables_loc t;
    __local inflate_state state;   /* the decoder's state between rounds (kept in local memory: work-item 0 only) */
    __local uint sh_op, sh_done, sh_tables, sh_bad, sh_copy_src, sh_copy_len;
    if (lid == 0u) {
        inflate_state s;
        df_init(&s, d, 1u);
        state = s;
    }
    uint flushed = 0u;   /* dst[0, flushed) holds the output, visible to the whole group */
    for (;;) {   /* every round but the last produces output or reads a block header */
        if (lid == 0u) {
            inflate_state s = state;
            uint copy_src = 0u, copy_len = 0u;
            if (!s.done) df_run_loc(in, dst, &s, &t, ring, rmask, flushed, &copy_src, &copy_len);
            const uint tables = !s.done && s.mode == DF_MODE_TABLES;
            sh_op = s.op;
            sh_done = s.done;
            sh_tables = tables;
            sh_bad = tables ? df_counts_both_loc(&s, &t) != 0u : 0u;
            sh_copy_src = copy_src;
            sh_copy_len = copy_len;
            state = s;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        const uint op = sh_op, done = sh_done, tables = sh_tables, bad = sh_bad, copy_len = sh_copy_len;
        if (tables && !bad) {
            df_fill_group_loc(t.lfast, t.lcount, t.lsym, lid, lsz);
            df_fill_group_loc(t.dfast, t.dcount, t.dsym, lid, lsz);
        }
        if (copy_len > 0u) {   /* stored bytes: they end at op */
            __global const uchar* from = in + sh_copy_src;
            const uint at = op - copy_len;
            for (uint j = lid; j < copy_len; j += lsz)
                ring[(at + j) & rmask] = from[j];
            barrier(CLK_LOCAL_MEM_FENCE);
        }
        for (uint p = flushed + lid; p < op; p += lsz)
            dst[p] = ring[p & rmask];
        flushed = op;
        barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE);
        if (done) break;
        if (lid == 0u && tables) {
            if (bad) { state.status = ST_CORRUPT; state.done = 1u; }
            else state.mode = DF_MODE_HUFFMAN;
        }
    }
    if (lid == 0u) {
        item_result r;
        r.status = state.status;
        r.produced = state.op;
        results[idx] = r;
    }
}
