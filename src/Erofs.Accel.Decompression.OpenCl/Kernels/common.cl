/* Shared definitions of the batch decoders.
 * One batch = one input buffer, one output buffer, one descriptor per item and one result per item.
 * Every kernel checks the descriptor against the buffer sizes again and never reads or writes outside
 * [in_off, in_off + in_len) and [out_off, out_off + out_cap) of its own item. */

#define ST_OK            0u  /* exactly out_cap bytes decoded (or the stream ended there) */
#define ST_CORRUPT       1u  /* malformed stream: bad code, bad distance, bad header */
#define ST_TRUNCATED     2u  /* the input ended before the stream did */
#define ST_OVERFLOW      3u  /* the stream holds more than out_cap bytes and partial decoding was not asked for */
#define ST_SHORT         4u  /* the stream ended before out_cap bytes were produced */
#define ST_BAD_DESC      5u  /* the descriptor points outside the batch buffers */

#define FLAG_PARTIAL     1u

/* Descriptor of one item, 8 uints (32 bytes). */
typedef struct {
    uint in_off;
    uint in_len;
    uint out_off;
    uint out_cap;
    uint flags;
    uint reserved0;
    uint reserved1;
    uint reserved2;
} item_desc;

/* Result of one item: status and bytes produced. */
typedef struct {
    uint status;
    uint produced;
} item_result;

#ifdef FORCE_BUILD_ERROR
#error "build failure requested by the host (FORCE_BUILD_ERROR)"
#endif

static inline int desc_is_valid(const item_desc d, uint in_size, uint out_size)
{
    return d.in_len > 0u && d.out_cap > 0u
        && d.in_off <= in_size && d.in_len <= in_size - d.in_off
        && d.out_off <= out_size && d.out_cap <= out_size - d.out_off;
}

/* Unaligned 8-byte access through a packed struct: one plain load/store on CPUs (vloadn may become byte loads). */
typedef struct __attribute__((packed)) { ulong v; } unaligned_u64;

static inline ulong load_u64(__global const uchar* p) { return ((__global const unaligned_u64*)p)->v; }
static inline void store_u64(__global uchar* p, ulong v) { ((__global unaligned_u64*)p)->v = v; }

/* Copies n literal bytes from in[ip] to out[op]. 16-byte chunks when both ranges have 16 spare bytes inside the
 * item (the caller passes the item ends), otherwise byte by byte. */
static inline void copy_from_input(__global const uchar* in, uint ip, uint iend,
                                   __global uchar* out, uint op, uint oend, uint n)
{
    if (n + 16u <= iend - ip && n + 16u <= oend - op) {
        __global const uchar* s = in + ip;
        __global uchar* d = out + op;
        for (uint i = 0; i < n; i += 16u) {
            const ulong a = load_u64(s + i), b = load_u64(s + i + 8u);
            store_u64(d + i, a);
            store_u64(d + i + 8u, b);
        }
    } else {
        for (uint i = 0; i < n; i++)
            out[op + i] = in[ip + i];
    }
}

/* Copies an n-byte back-reference at distance dist (1 <= dist <= op - item start) to out[op]. Overlap allowed. */
static inline void copy_match(__global uchar* out, uint op, uint oend, uint dist, uint n)
{
    __global uchar* d = out + op;
    __global const uchar* s = out + op - dist;
    if (dist >= 16u && n + 16u <= oend - op) {
        for (uint i = 0; i < n; i += 16u) {
            const ulong a = load_u64(s + i), b = load_u64(s + i + 8u);
            store_u64(d + i, a);
            store_u64(d + i + 8u, b);
        }
    } else if (dist >= 8u && n + 8u <= oend - op) {
        for (uint i = 0; i < n; i += 8u)
            store_u64(d + i, load_u64(s + i));
    } else if (n >= 16u && n + 8u <= oend - op) {
        /* short period (runs): lay down one multiple of the period that is at least 8 bytes long, then copy
         * 8 bytes at a time from that distance, which repeats the same pattern */
        const uint period = dist * ((8u + dist - 1u) / dist);
        for (uint i = 0; i < period; i++)
            d[i] = s[i];
        for (uint i = period; i < n; i += 8u)
            store_u64(d + i, load_u64(d + i - period));
    } else {
        for (uint i = 0; i < n; i++)
            d[i] = s[i];
    }
}
