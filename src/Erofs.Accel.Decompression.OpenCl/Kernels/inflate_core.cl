/* Raw DEFLATE decoder body. Included twice by the host: DF(name) gives the instance suffix, DF_AS the address
 * space of the tables (__private for one work-item per item, __local for one work-group per item), DF_FAST_BITS the
 * size of the first-level lookup tables, and DF_GROUP whether the decoding work-item writes a local ring that the
 * group writes out (and builds the lookup tables of each block with the group) instead of writing global memory. */

#define DF_FAST_SIZE (1 << DF_FAST_BITS)

/* Huffman tables of one block: a DF_FAST_BITS lookup table ((symbol << 4) | length, 0 = longer code) plus
 * canonical count/symbol arrays for longer codes, and the code lengths they are built from. */
typedef struct {
    ushort lfast[DF_FAST_SIZE];
    ushort dfast[DF_FAST_SIZE];
    ushort lsym[288];
    ushort dsym[32];
    ushort lcount[16];
    ushort dcount[16];
    uchar lens[320];
} DF(inflate_tables);

/* Counts the n code lengths and sorts the symbols by code. kind 0 = code-length code (must be complete),
 * 1 = literal/length or distance code (an incomplete code is accepted only when it is a single 1-bit code, as zlib
 * does). Returns 0, or -1 for an invalid code. */
static int DF(df_counts)(DF_AS ushort* count, DF_AS ushort* sym, DF_AS const uchar* lens, uint n, uint complete_required)
{
    ushort offs[16];
    for (uint l = 0; l < 16u; l++) count[l] = 0;
    for (uint i = 0; i < n; i++) count[lens[i]]++;
    count[0] = 0;
    int left = 1;
    uint maxlen = 0;
    for (uint l = 1; l < 16u; l++) {
        left <<= 1;
        left -= (int)count[l];
        if (left < 0) return -1;
        if (count[l]) maxlen = l;
    }
    if (left > 0 && (complete_required || maxlen != 1u)) {
        if (!(maxlen == 0u && !complete_required)) return -1;
    }
    offs[1] = 0;
    for (uint l = 1; l < 15u; l++) offs[l + 1] = offs[l] + count[l];
    for (uint i = 0; i < n; i++)
        if (lens[i]) sym[offs[lens[i]]++] = (ushort)i;
    return 0;
}

/* Fills the lookup table from counts and sorted symbols, one code at a time (one work-item). */
static void DF(df_fill)(DF_AS ushort* fast, DF_AS const ushort* count, DF_AS const ushort* sym)
{
    for (uint i = 0; i < (uint)DF_FAST_SIZE; i++) fast[i] = 0;
    uint code = 0, k = 0;
    for (uint l = 1; l <= (uint)DF_FAST_BITS; l++) {
        for (uint j = 0; j < count[l]; j++, k++, code++) {
            uint rev = 0;
            for (uint b = 0; b < l; b++) rev |= ((code >> b) & 1u) << (l - 1u - b);
            const ushort e = (ushort)((sym[k] << 4) | l);
            for (uint r = rev; r < (uint)DF_FAST_SIZE; r += 1u << l) fast[r] = e;
        }
        code <<= 1;
    }
}

static int DF(df_build)(DF_AS ushort* fast, DF_AS ushort* count, DF_AS ushort* sym, DF_AS const uchar* lens,
                        uint n, uint complete_required)
{
    if (DF(df_counts)(count, sym, lens, n, complete_required) != 0) return -1;
    DF(df_fill)(fast, count, sym);
    return 0;
}

/* Decodes one symbol; -1 when the bits match no code. Needs at least 15 bits in the buffer. */
static inline int DF(df_decode)(DF_AS const ushort* fast, DF_AS const ushort* count, DF_AS const ushort* sym,
                                inflate_state* s)
{
    const uint e = fast[(uint)s->buf & (uint)(DF_FAST_SIZE - 1)];
    if (e) {
        s->buf >>= (e & 15u);
        s->bits -= (e & 15u);
        return (int)(e >> 4);
    }
    int code = 0, first = 0, index = 0;
    ulong b = s->buf;
    for (uint l = 1; l < 16u; l++) {
        code |= (int)(b & 1ul);
        b >>= 1;
        const int c = (int)count[l];
        if (code - c < first) {
            s->buf = b;
            s->bits -= l;
            return (int)sym[index + (code - first)];
        }
        index += c;
        first += c;
        first <<= 1;
        code <<= 1;
    }
    return -1;
}

/* Reads a block header: a stored block goes to DF_MODE_STORED; a fixed or dynamic block leaves its code lengths in
 * t->lens (s->hlit literal/length codes, then s->hdist distance codes) and goes to DF_MODE_TABLES. Returns 0, or a
 * status to stop with. */
static uint DF(df_header)(__global const uchar* in, inflate_state* s, DF_AS DF(inflate_tables)* t)
{
    df_refill(in, s);
    s->last = df_take(s, 1u);
    const uint type = df_take(s, 2u);
    if (type == 0u) {
        df_take(s, s->bits & 7u);
        if (df_overran(s)) return ST_TRUNCATED;
        df_refill(in, s);
        const uint len = df_take(s, 16u);
        const uint nlen = df_take(s, 16u);
        if (df_overran(s)) return ST_TRUNCATED;
        if (len != (~nlen & 0xFFFFu)) return ST_CORRUPT;
        /* hand the whole bytes still buffered back to the input */
        const uint buffered = s->bits >> 3;
        s->ip = s->ip - buffered + s->overrun;
        s->overrun = 0u;
        s->buf = 0ul;
        s->bits = 0u;
        s->stored_left = len;
        s->mode = DF_MODE_STORED;
        return 0u;
    }
    if (type == 1u) {
        for (uint i = 0; i < 144u; i++) t->lens[i] = 8;
        for (uint i = 144; i < 256u; i++) t->lens[i] = 9;
        for (uint i = 256; i < 280u; i++) t->lens[i] = 7;
        for (uint i = 280; i < 288u; i++) t->lens[i] = 8;
        for (uint i = 288; i < 320u; i++) t->lens[i] = 5;
        s->hlit = 288u;
        s->hdist = 32u;
        s->mode = DF_MODE_TABLES;
        return df_overran(s) ? ST_TRUNCATED : 0u;
    }
    if (type == 3u) return ST_CORRUPT;
    /* dynamic block */
    const uint hlit = df_take(s, 5u) + 257u;
    const uint hdist = df_take(s, 5u) + 1u;
    const uint hclen = df_take(s, 4u) + 4u;
    if (hlit > 286u || hdist > 30u) return ST_CORRUPT;
    df_refill(in, s);
    for (uint i = 0; i < 19u; i++) t->lens[i] = 0;
    for (uint i = 0; i < hclen; i++) t->lens[df_clen_order[i]] = (uchar)df_take(s, 3u);
    if (df_overran(s)) return ST_TRUNCATED;
    /* the code-length code lives in the literal tables until the real ones are built */
    if (DF(df_build)(t->lfast, t->lcount, t->lsym, t->lens, 19u, 1u) != 0) return ST_CORRUPT;
    const uint total = hlit + hdist;
    uint i = 0;
    while (i < total) {   /* every pass fills at least one length */
        df_refill(in, s);
        const int c = DF(df_decode)(t->lfast, t->lcount, t->lsym, s);
        if (c < 0) return ST_CORRUPT;
        if (c < 16) {
            t->lens[i++] = (uchar)c;
        } else {
            uint rep;
            uchar v = 0;
            if (c == 16) {
                if (i == 0u) return ST_CORRUPT;
                v = t->lens[i - 1u];
                rep = 3u + df_take(s, 2u);
            } else if (c == 17) {
                rep = 3u + df_take(s, 3u);
            } else {
                rep = 11u + df_take(s, 7u);
            }
            if (rep > total - i) return ST_CORRUPT;
            for (uint k = 0; k < rep; k++) t->lens[i++] = v;
        }
        if (df_overran(s)) return ST_TRUNCATED;
    }
    if (t->lens[256] == 0) return ST_CORRUPT;
    s->hlit = hlit;
    s->hdist = hdist;
    s->mode = DF_MODE_TABLES;
    return 0u;
}

/* Counts and sorts both codes of the block whose lengths df_header left (ST_CORRUPT for an invalid code). */
static uint DF(df_counts_both)(inflate_state* s, DF_AS DF(inflate_tables)* t)
{
    if (DF(df_counts)(t->lcount, t->lsym, t->lens, s->hlit, 0u) != 0) return ST_CORRUPT;
    if (DF(df_counts)(t->dcount, t->dsym, t->lens + s->hlit, s->hdist, 0u) != 0) return ST_CORRUPT;
    return 0u;
}

/* A length symbol (257..285): its match length and the distance code after it, the distance checked against the
 * bytes decoded so far. DF_GOING with *len and *dist set, else the status that ends the stream. */
static inline uint DF(df_match)(inflate_state* s, DF_AS DF(inflate_tables)* t, int sym, uint* len, uint* dist)
{
    sym -= 257;
    if (sym >= 29) return ST_CORRUPT;
    *len = (uint)df_len_base[sym] + df_take(s, df_len_extra[sym]);
    const int dsym = DF(df_decode)(t->dfast, t->dcount, t->dsym, s);
    if (dsym < 0 || dsym >= 30) return ST_CORRUPT;
    *dist = (uint)df_dist_base[dsym] + df_take(s, df_dist_extra[dsym]);
    if (df_overran(s)) return ST_TRUNCATED;
    if (*dist > s->op - s->ostart) return ST_CORRUPT;
    return DF_GOING;
}

#if !DF_GROUP

/* Runs the decoder until the stream ends or the output is full; sets s->status and s->done. */
static void DF(df_run)(__global const uchar* in, __global uchar* out, inflate_state* s, DF_AS DF(inflate_tables)* t)
{
    uint st = 0u;
    for (;;) {   /* every pass consumes input bits or ends the stream */
        if (s->partial && s->op == s->oend) { st = ST_OK; break; }
        if (s->mode == DF_MODE_HEADER) {
            if (df_overran(s)) { st = ST_TRUNCATED; break; }
            st = DF(df_header)(in, s, t);
            if (st != 0u) break;
            continue;
        }
        if (s->mode == DF_MODE_TABLES) {
            st = DF(df_counts_both)(s, t);
            if (st != 0u) break;
            DF(df_fill)(t->lfast, t->lcount, t->lsym);
            DF(df_fill)(t->dfast, t->dcount, t->dsym);
            s->mode = DF_MODE_HUFFMAN;
            continue;
        }
        if (s->mode == DF_MODE_STORED) {
            const uint room = s->oend - s->op;
            uint k = s->stored_left < room ? s->stored_left : room;
            if (k > s->iend - s->ip) { st = ST_TRUNCATED; break; }
            copy_from_input(in, s->ip, s->iend, out, s->op, s->oend, k);
            s->ip += k;
            s->op += k;
            s->stored_left -= k;
            if (s->stored_left > 0u) { st = s->partial ? ST_OK : ST_OVERFLOW; break; }
            if (s->last) { st = s->op == s->oend ? ST_OK : ST_SHORT; break; }
            s->mode = DF_MODE_HEADER;
            continue;
        }
        /* Huffman-coded block */
        if (df_overran(s)) { st = ST_TRUNCATED; break; }
        df_refill(in, s);
        int sym = DF(df_decode)(t->lfast, t->lcount, t->lsym, s);
        if (sym < 0) { st = ST_CORRUPT; break; }
        if (sym < 256) {
            if (s->op == s->oend) { st = s->partial ? ST_OK : ST_OVERFLOW; break; }
            out[s->op++] = (uchar)sym;
            continue;
        }
        if (sym == 256) {
            st = df_end_of_block(s);
            if (st != DF_GOING) break;
            continue;
        }
        uint len, dist;
        st = DF(df_match)(s, t, sym, &len, &dist);
        if (st != DF_GOING) break;
        const uint room = s->oend - s->op;
        const uint k = len < room ? len : room;
        copy_match(out, s->op, s->oend, dist, k);
        s->op += k;
        if (k < len) { st = s->partial ? ST_OK : ST_OVERFLOW; break; }
    }
    s->status = st;
    s->done = 1u;
}

#else

/* Fills lookup-table entries lid, lid + lsz, ...: each entry decodes its own index bit by bit against the counts
 * (the whole group at once; the same table df_fill makes). */
static void DF(df_fill_group)(DF_AS ushort* fast, DF_AS const ushort* count, DF_AS const ushort* sym, uint lid, uint lsz)
{
    for (uint r = lid; r < (uint)DF_FAST_SIZE; r += lsz) {
        int code = 0, first = 0, index = 0;
        uint b = r;
        ushort e = 0;
        for (uint l = 1; l <= (uint)DF_FAST_BITS; l++) {
            code |= (int)(b & 1u);
            b >>= 1;
            const int c = (int)count[l];
            if (code - c < first) {
                e = (ushort)((sym[index + (code - first)] << 4) | l);
                break;
            }
            index += c;
            first += c;
            first <<= 1;
            code <<= 1;
        }
        fast[r] = e;
    }
}

/* The decoding work-item of a group: runs until the stream ends (s->done), a block's code lengths are read
 * (DF_MODE_TABLES: the group builds the tables) or the ring is full; output positions are relative to the item
 * (s->ostart = 0) and go to ring[op & rmask]. Bytes of a stored block are not copied here but handed to the group
 * (*copy_src, *copy_len; the round then ends). ring positions below flushed are also in dst, which serves
 * back-references longer than the ring. */
static void DF(df_run)(__global const uchar* in, __global const uchar* dst, inflate_state* s, DF_AS DF(inflate_tables)* t,
                       __local uchar* ring, uint rmask, uint flushed, uint* copy_src, uint* copy_len)
{
    const uint rsize = rmask + 1u;
    uint st = 0u;
    for (;;) {   /* every pass consumes input bits, ends the stream or ends the round */
        if (s->partial && s->op == s->oend) { st = ST_OK; break; }
        if (s->mode == DF_MODE_HEADER) {
            if (df_overran(s)) { st = ST_TRUNCATED; break; }
            st = DF(df_header)(in, s, t);
            if (st != 0u) break;
            if (s->mode == DF_MODE_TABLES) return;
            continue;
        }
        if (s->mode == DF_MODE_TABLES) return;
        if (s->mode == DF_MODE_STORED) {
            const uint room = s->oend - s->op;
            const uint whole = s->stored_left < room ? s->stored_left : room;
            if (whole > s->iend - s->ip) { st = ST_TRUNCATED; break; }
            const uint ringroom = flushed + rsize - s->op;
            const uint k = whole < ringroom ? whole : ringroom;
            if (k > 0u) {
                *copy_src = s->ip;
                *copy_len = k;
                s->ip += k;
                s->op += k;
                s->stored_left -= k;
            }
            if (k < whole) return;   /* the ring is full: the group copies and writes out, then this goes on */
            if (s->stored_left > 0u) { st = s->partial ? ST_OK : ST_OVERFLOW; break; }
            if (s->last) { st = s->op == s->oend ? ST_OK : ST_SHORT; break; }
            s->mode = DF_MODE_HEADER;
            if (k > 0u) return;      /* later references may point into the bytes the group has still to copy */
            continue;
        }
        /* Huffman-coded block */
        if (s->op + 258u > flushed + rsize) return;   /* a match could overwrite bytes not written out yet */
        if (df_overran(s)) { st = ST_TRUNCATED; break; }
        df_refill(in, s);
        int sym = DF(df_decode)(t->lfast, t->lcount, t->lsym, s);
        if (sym < 0) { st = ST_CORRUPT; break; }
        if (sym < 256) {
            if (s->op == s->oend) { st = s->partial ? ST_OK : ST_OVERFLOW; break; }
            ring[s->op & rmask] = (uchar)sym;
            s->op++;
            continue;
        }
        if (sym == 256) {
            st = df_end_of_block(s);
            if (st != DF_GOING) break;
            continue;
        }
        uint len, dist;
        st = DF(df_match)(s, t, sym, &len, &dist);
        if (st != DF_GOING) break;
        const uint room = s->oend - s->op;
        const uint k = len < room ? len : room;
        uint p = s->op;
        const uint end = p + k;
        if (dist <= rsize) {
            for (; p < end; p++) ring[p & rmask] = ring[(p - dist) & rmask];
        } else {
            for (; p < end; p++) ring[p & rmask] = dst[p - dist];   /* below flushed: written out already */
        }
        s->op = end;
        if (k < len) { st = s->partial ? ST_OK : ST_OVERFLOW; break; }
    }
    s->status = st;
    s->done = 1u;
}

#endif
