/* Raw DEFLATE batch kernels: deflate_items (one work-item per item, tables in private memory) and deflate_groups
 * (one work-group per item, tables in local memory, long copies shared by the group). */

static inline void df_init(inflate_state* s, const item_desc d)
{
    s->buf = 0ul; s->bits = 0u; s->overrun = 0u;
    s->ip = d.in_off; s->iend = d.in_off + d.in_len;
    s->op = d.out_off; s->ostart = d.out_off; s->oend = d.out_off + d.out_cap;
    s->mode = DF_MODE_HEADER; s->stored_left = 0u; s->last = 0u;
    s->partial = d.flags & FLAG_PARTIAL;
    s->status = ST_OK; s->done = 0u; s->pending_lo = DF_NONE;
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
    inflate_tables t;
    inflate_state s;
    df_init(&s, d);
    df_run_priv(in, out, &s, &t);
    r.status = s.status;
    r.produced = s.op - s.ostart;
    results[idx] = r;
}

__kernel void deflate_groups(__global const uchar* restrict in, uint in_size,
                             __global uchar* restrict out, uint out_size,
                             __global const item_desc* restrict descs, __global item_result* restrict results,
                             uint first, uint count)
{
    const uint grp = (uint)get_group_id(0);
    if (grp >= count) return;   /* uniform for the whole group */
    const uint idx = first + grp;
    const uint lid = (uint)get_local_id(0);
    const uint lsz = (uint)get_local_size(0);
    __local inflate_tables t;
    __local copy_cmd cmds[GROUP_CMDS];
    __local uint sh_n, sh_done;
    inflate_state s;
    if (lid == 0u) {
        const item_desc d = descs[idx];
        df_init(&s, d);
        if (!desc_is_valid(d, in_size, out_size)) {
            s.status = ST_BAD_DESC; s.done = 1u; s.op = s.ostart;
        }
    }
    for (;;) {   /* every round but the last emits GROUP_CMDS - 1 copies, each at least one byte */
        if (lid == 0u) {
            s.pending_lo = DF_NONE;
            sh_n = s.done ? 0u : df_run_loc(in, out, &s, &t, cmds);
            sh_done = s.done;
        }
        barrier(CLK_LOCAL_MEM_FENCE | CLK_GLOBAL_MEM_FENCE);
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
