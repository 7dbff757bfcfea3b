// Row reductions over a contiguous [rows, run] view (the host moves the reduced dims last first). One block
// per row, a strided per-thread pass, then a warp-shuffle and shared-memory tree. Sums accumulate in double
// for floats (the CPU reference does too) and in int64 for integers; max and min propagate NaN. Split
// reductions read [outer, rows, inner] in place and give each row several blocks (below).
#include "common.cuh"

enum { R_SUM, R_MAX, R_MIN };

template <typename T> struct Acc { typedef double type; };
template <> struct Acc<int> { typedef i64 type; };
template <> struct Acc<i64> { typedef i64 type; };

template <typename A> __device__ __forceinline__ A combine(int op, A a, A b) {
    if (op == R_SUM) return a + b;
    return op == R_MAX ? java_max(a, b) : java_min(a, b);
}

// Block-wide combine of one value per thread; every thread gets the result. blockDim.x is a multiple of 32.
template <typename A> __device__ A block_combine(int op, A v) {
    __shared__ A warp_part[32];
    for (int o = 16; o > 0; o >>= 1) v = combine(op, v, __shfl_down_sync(0xffffffffu, v, o));
    int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
    __syncthreads();  // warp_part may still be read by a previous call
    if (lane == 0) warp_part[warp] = v;
    __syncthreads();
    if (warp == 0) {
        v = lane < warps ? warp_part[lane] : (op == R_SUM ? (A) 0 : warp_part[0]);
        for (int o = 16; o > 0; o >>= 1) v = combine(op, v, __shfl_down_sync(0xffffffffu, v, o));
        if (lane == 0) warp_part[0] = v;
    }
    __syncthreads();
    return warp_part[0];
}

#define DPVM_REDUCE(T, S)                                                                           \
    extern "C" __global__ void reduce_rows_##S(const T* x, T* out, int rows, int run, int op) {     \
        typedef Acc<T>::type A;                                                                     \
        for (int r = blockIdx.x; r < rows; r += gridDim.x) {                                        \
            const T* row = x + (i64) r * run;                                                       \
            A acc = op == R_SUM || run == 0 ? (A) 0 : (A) row[0];                                   \
            for (int j = threadIdx.x; j < run; j += blockDim.x) acc = combine<A>(op, acc, (A) row[j]); \
            acc = block_combine<A>(op, acc);                                                        \
            if (threadIdx.x == 0) out[r] = (T) acc;                                                 \
        }                                                                                           \
    }
DPVM_FOR_EACH_TYPE(DPVM_REDUCE)

// Argmax/argmin pairs: NaN is the extreme (the first NaN wins); otherwise the first index of the extreme.
template <typename T> __device__ __forceinline__ bool better(bool max, T v, int i, T bv, int bi) {
    if (bi < 0) return true;
    bool vn = is_nan(v), bn = is_nan(bv);
    if (vn || bn) return vn && (!bn || i < bi);
    if (v == bv) return i < bi;
    return max ? v > bv : v < bv;
}

#define DPVM_ARGREDUCE(T, S)                                                                          \
    extern "C" __global__ void argreduce_rows_##S(const T* x, i64* out, int rows, int run, int isMax) { \
        __shared__ T sv[32];                                                                           \
        __shared__ int si[32];                                                                         \
        bool max = isMax != 0;                                                                         \
        for (int r = blockIdx.x; r < rows; r += gridDim.x) {                                           \
            const T* row = x + (i64) r * run;                                                          \
            T bv = (T) 0;                                                                              \
            int bi = -1;                                                                               \
            for (int j = threadIdx.x; j < run; j += blockDim.x) {                                      \
                T v = row[j];                                                                          \
                if (better<T>(max, v, j, bv, bi)) { bv = v; bi = j; }                                  \
            }                                                                                          \
            for (int o = 16; o > 0; o >>= 1) {                                                         \
                T ov = __shfl_down_sync(0xffffffffu, bv, o);                                           \
                int oi = __shfl_down_sync(0xffffffffu, bi, o);                                         \
                if (oi >= 0 && better<T>(max, ov, oi, bv, bi)) { bv = ov; bi = oi; }                   \
            }                                                                                          \
            int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;             \
            __syncthreads();                                                                           \
            if (lane == 0) { sv[warp] = bv; si[warp] = bi; }                                           \
            __syncthreads();                                                                           \
            if (threadIdx.x == 0) {                                                                    \
                for (int w = 1; w < warps; w++)                                                        \
                    if (si[w] >= 0 && better<T>(max, sv[w], si[w], bv, bi)) { bv = sv[w]; bi = si[w]; } \
                out[r] = bi < 0 ? 0 : bi;                                                              \
            }                                                                                          \
        }                                                                                              \
    }
DPVM_FOR_EACH_TYPE(DPVM_ARGREDUCE)

// Reduction over the middle dim of a contiguous [outer, rows, cols] view: the leading dims (outer 1: bias
// gradients, sums over the batch) or a run of dims in between (a mean over time of [N, T, D]), read in place:
// a block takes a tile of 32 columns of one outer slice, its eight warps each a 32-column slice of every
// eighth row, so every load is one 128-byte line; the eight slices meet in shared memory in warp order. The
// rows are cut into `splits` chunks of `chunk` rows, one block per slice, tile and chunk, so a few hundred
// columns still fill the GPU; with more than one split the partials go through reduce_split_finish (below),
// in chunk order.
#define DPVM_REDUCE_COLS(T, S)                                                                           \
    extern "C" __global__ void reduce_cols_##S(const T* x, T* out, Acc<T>::type* partial, int outer,     \
                                               int rows, int cols, int splits, int chunk, int op) {      \
        typedef Acc<T>::type A;                                                                          \
        __shared__ A slice[8][33];                                                                       \
        int tiles = (cols + 31) / 32, tx = threadIdx.x & 31, ty = threadIdx.x >> 5;                      \
        for (int blk = blockIdx.x; blk < outer * tiles * splits; blk += gridDim.x) {                     \
            int o = blk / (tiles * splits), rest = blk - o * tiles * splits;                             \
            int tile = rest / splits, s = rest - tile * splits, c = tile * 32 + tx;                      \
            int begin = s * chunk, end = min(rows, begin + chunk);                                       \
            const T* xo = x + (i64) o * rows * cols;                                                     \
            A acc = (A) 0;                                                                               \
            if (c < cols) {                                                                              \
                if (op != R_SUM) acc = (A) xo[(i64) begin * cols + c];                                   \
                for (int r = begin + ty; r < end; r += 8) acc = combine<A>(op, acc, (A) xo[(i64) r * cols + c]); \
            }                                                                                            \
            __syncthreads();  /* the previous tile's slices are read */                                  \
            slice[ty][tx] = acc;                                                                         \
            __syncthreads();                                                                             \
            if (ty == 0 && c < cols) {                                                                   \
                for (int k = 1; k < 8; k++) acc = combine<A>(op, acc, slice[k][tx]);                     \
                i64 at = (i64) o * cols + c;                                                             \
                if (splits == 1) out[at] = (T) acc;                                                      \
                else partial[at * splits + s] = acc;                                                     \
            }                                                                                            \
        }                                                                                                \
    }
DPVM_FOR_EACH_TYPE(DPVM_REDUCE_COLS)

// Reduction of a contiguous [outer, rows, inner] view over outer and inner: batch-norm statistics over
// (N, D, H, W) of NCDHW, or a few long rows, or a whole tensor (rows = 1). The items are read in place, no
// transposing copy, and each row's outer x inner items are cut into `splits` chunks of `chunk` items, one
// block each, so a handful of rows still fills the GPU (the host sizes the chunks so that none is empty).
// Neighbouring threads take neighbouring items, which are neighbouring addresses within each run of `inner`.
// With one split the block writes the row's result; with more it writes its partial (double or int64) and
// reduce_split_finish combines a row's partials in split order, so the result does not depend on timing.
// Item k is (a, b) = (k / inner, k % inner), the division a multiply-high and a shift (as in Geo).
#define DPVM_REDUCE_SPLIT(T, S)                                                                          \
    extern "C" __global__ void reduce_split_##S(const T* x, T* out, Acc<T>::type* partial, int outer,     \
                                                int rows, int inner, unsigned int magic, int shift,      \
                                                int splits, int chunk, int op) {                         \
        typedef Acc<T>::type A;                                                                          \
        unsigned int items = (unsigned int) outer * (unsigned int) inner;                                \
        for (int blk = blockIdx.x; blk < rows * splits; blk += gridDim.x) {                              \
            int r = blk / splits, s = blk - r * splits;                                                  \
            unsigned int begin = (unsigned int) s * (unsigned int) chunk;                                \
            unsigned int end = min(items, begin + (unsigned int) chunk);                                 \
            A acc = (A) 0;                                                                               \
            if (op != R_SUM && begin < end) {                                                            \
                unsigned int a = (__umulhi(begin, magic) + begin) >> shift;                              \
                acc = (A) x[((i64) a * rows + r) * inner + (begin - a * (unsigned int) inner)];          \
            }                                                                                            \
            for (unsigned int k = begin + threadIdx.x; k < end; k += blockDim.x) {                       \
                unsigned int a = (__umulhi(k, magic) + k) >> shift;                                      \
                acc = combine<A>(op, acc, (A) x[((i64) a * rows + r) * inner + (k - a * (unsigned int) inner)]); \
            }                                                                                            \
            acc = block_combine<A>(op, acc);                                                             \
            if (threadIdx.x == 0) {                                                                      \
                if (splits == 1) out[r] = (T) acc;                                                       \
                else partial[blk] = acc;                                                                 \
            }                                                                                            \
        }                                                                                                \
    }                                                                                                    \
    extern "C" __global__ void reduce_split_finish_##S(const Acc<T>::type* partial, T* out, int rows,     \
                                                       int splits, int op) {                             \
        typedef Acc<T>::type A;                                                                          \
        DPVM_GRID_STRIDE(r, rows) {                                                                      \
            const A* p = partial + (i64) r * splits;                                                     \
            A acc = p[0];                                                                                \
            for (int s = 1; s < splits; s++) acc = combine<A>(op, acc, p[s]);                            \
            out[r] = (T) acc;                                                                            \
        }                                                                                                \
    }
DPVM_FOR_EACH_TYPE(DPVM_REDUCE_SPLIT)
