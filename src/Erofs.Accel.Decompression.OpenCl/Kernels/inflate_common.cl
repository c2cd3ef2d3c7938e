/* Raw DEFLATE (RFC 1951) decoding: definitions shared by both instantiations of inflate_core.cl. */

#define DF_NONE 0xFFFFFFFFu

/* Resumable decoder state (private to the decoding work-item). */
typedef struct {
    ulong buf;
    uint bits, ip, iend, overrun;
    uint op, ostart, oend;
    uint mode, stored_left, last, partial;
    uint status, done;
    uint hlit, hdist;   /* code lengths waiting in the tables' lens (DF_MODE_TABLES) */
} inflate_state;

#define DF_MODE_HEADER 0u
#define DF_MODE_HUFFMAN 1u
#define DF_MODE_STORED 2u
#define DF_MODE_TABLES 3u   /* a block's code lengths are read; its decoding tables are not built yet */

__constant ushort df_len_base[29] = { 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59,
                                      67, 83, 99, 115, 131, 163, 195, 227, 258 };
__constant uchar df_len_extra[29] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3,
                                      4, 4, 4, 4, 5, 5, 5, 5, 0 };
__constant ushort df_dist_base[30] = { 1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769,
                                       1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577 };
__constant uchar df_dist_extra[30] = { 0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8,
                                       9, 9, 10, 10, 11, 11, 12, 12, 13, 13 };
__constant uchar df_clen_order[19] = { 16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15 };

/* Tops the bit buffer up to at least 57 bits. Past the end of the item's input it feeds zero bytes and counts
 * them in overrun; df_overran() tells when such a byte was consumed. */
static inline void df_refill(__global const uchar* in, inflate_state* s)
{
    if (s->iend - s->ip >= 8u) {
        const ulong v = load_u64(in + s->ip);
        s->buf |= v << s->bits;
        s->ip += (63u - s->bits) >> 3;
        s->bits |= 56u;
    } else {
        while (s->bits <= 56u) {
            ulong b = 0;
            if (s->ip < s->iend) b = in[s->ip++]; else s->overrun++;
            s->buf |= b << s->bits;
            s->bits += 8u;
        }
    }
}

static inline int df_overran(const inflate_state* s)
{
    return s->bits < s->overrun * 8u;
}

static inline uint df_take(inflate_state* s, uint n)
{
    const uint v = (uint)(s->buf & ((1ul << n) - 1ul));
    s->buf >>= n;
    s->bits -= n;
    return v;
}

/* What a step of the Huffman loop returns when the stream goes on (every other value is the status that ends it). */
#define DF_GOING 0xFFFFFFFFu

/* The end-of-block symbol: DF_GOING to read the next block's header, else the status that ends the stream. */
static inline uint df_end_of_block(inflate_state* s)
{
    if (df_overran(s)) return ST_TRUNCATED;
    if (s->last) return s->op == s->oend ? ST_OK : ST_SHORT;
    s->mode = DF_MODE_HEADER;
    return DF_GOING;
}
