// Ultralytics' letterbox for a batch of JPEGs decoded by nvJPEG into Y/Cb/Cr planes, written straight into the
// engine's input: RGB planes, /255, NCHW float, grey 114 padding. One launch per batch: blockIdx.z picks the image,
// one thread per output pixel.
//
// It reproduces the CPU path bit for bit, given the same decoded planes:
// - chroma upsampling and YCbCr -> RGB as libjpeg(-turbo) does them by default ("fancy" triangle upsampling,
//   jdsample.c; 16-bit fixed-point colour tables, jdcolor.c);
// - cv::resize INTER_LINEAR on 8-bit pixels as OpenCV computes it (resize.cpp): float source coordinates from
//   double scales, 11-bit integer weights, the VResizeLinear<uchar> rounding; an exact 2x downscale takes
//   OpenCV's INTER_AREA fast path, as cv::resize does;
// - then /255 as a float division, as LetterboxPreprocessor does.
// Compiled with --fmad=false: the host computes these coordinates without fused multiply-adds.

// Must match GpuPreprocessor's job table (JOB_BYTES, the field offsets).
struct Job {
    const unsigned char* y;
    const unsigned char* cb;
    const unsigned char* cr;
    float* out;
    int lumaPitch, chromaPitch;
    int width, height;
    int chromaWidth, chromaHeight;
    int chromaShiftX, chromaShiftY;  // 4:2:0 = 1,1; 4:2:2 = 1,0; 4:4:4 = 0,0
    int grey, mode;                  // mode: MODE_COPY, MODE_LINEAR, MODE_AREA2
    int resizedWidth, resizedHeight;
    int padLeft, padTop;
};

#define MODE_COPY 0
#define MODE_LINEAR 1
#define MODE_AREA2 2

// libjpeg's fancy upsampling of one chroma plane at luma pixel (x, y): h2v1 (4:2:2) weighs the nearer sample 3/4,
// h2v2 (4:2:0) 9/16, 3/16, 3/16, 1/16, with libjpeg's alternating rounding biases; edges repeat the outer samples.
__device__ __forceinline__ int chroma(const unsigned char* p, const Job& j, int x, int y) {
    int cx = x >> j.chromaShiftX;
    int cy = y >> j.chromaShiftY;
    if (j.chromaShiftX == 0) {
        return p[cy * j.chromaPitch + cx];
    }
    int odd = x & 1;
    int nx = odd ? min(cx + 1, j.chromaWidth - 1) : max(cx - 1, 0);
    if (j.chromaShiftY == 0) {
        int sum = 3 * p[cy * j.chromaPitch + cx] + p[cy * j.chromaPitch + nx];
        return (sum + 1 + odd) >> 2;
    }
    int ny = (y & 1) ? min(cy + 1, j.chromaHeight - 1) : max(cy - 1, 0);
    // vertical pass first (3/4 nearer row + 1/4 the other), in this column and the neighbouring one
    int here = 3 * p[cy * j.chromaPitch + cx] + p[ny * j.chromaPitch + cx];
    int beside = 3 * p[cy * j.chromaPitch + nx] + p[ny * j.chromaPitch + nx];
    return (3 * here + beside + 8 - odd) >> 4;
}

__device__ __forceinline__ int clamp255(int v) {
    return min(255, max(0, v));
}

// The decoded pixel at (x, y) as libjpeg's ycc_rgb_convert gives it: FIX(1.402), FIX(1.772), FIX(0.34414),
// FIX(0.71414) in 16-bit fixed point, rounded with ONE_HALF, arithmetic right shifts.
__device__ __forceinline__ void pixel(const Job& j, int x, int y, int* rgb) {
    // the letterbox was made from the header read on the host; GpuPreprocessor sends an image whose nvJPEG size
    // differs to the CPU, and this clamp keeps the copy and 2x paths inside the planes should one still get here
    x = min(x, j.width - 1);
    y = min(y, j.height - 1);
    int luma = j.y[y * j.lumaPitch + x];
    if (j.grey) {
        rgb[0] = rgb[1] = rgb[2] = luma;
        return;
    }
    int cb = chroma(j.cb, j, x, y) - 128;
    int cr = chroma(j.cr, j, x, y) - 128;
    rgb[0] = clamp255(luma + ((91881 * cr + 32768) >> 16));
    rgb[1] = clamp255(luma + ((-22554 * cb + 32768 - 46802 * cr) >> 16));
    rgb[2] = clamp255(luma + ((116130 * cb + 32768) >> 16));
}

// OpenCV's INTER_LINEAR source position and 11-bit weights for destination index d. Columns clamp position and
// weight at the edges; rows keep the weight and only clip the row index (resize.cpp treats the axes differently).
__device__ __forceinline__ void weights(int d, int src, int dst, bool column, int* s0, int* s1, int* w0, int* w1) {
    double scale = 1.0 / ((double) dst / (double) src);
    float f = (float) ((d + 0.5) * scale - 0.5);
    int s = (int) floorf(f);
    f -= s;
    if (column && s < 0) {
        s = 0;
        f = 0.f;
    }
    if (column && s >= src - 1) {
        s = src - 1;
        f = 0.f;
    }
    *s0 = min(max(s, 0), src - 1);
    *s1 = min(max(s + 1, 0), src - 1);
    *w0 = __float2int_rn((1.f - f) * 2048.f);
    *w1 = __float2int_rn(f * 2048.f);
}

extern "C" __global__ void letterbox(const Job* __restrict__ jobs, int outWidth, int outHeight) {
    // the block's image: read once into shared memory, not by every thread
    __shared__ Job j;
    if (threadIdx.x == 0 && threadIdx.y == 0) {
        j = jobs[blockIdx.z];
    }
    __syncthreads();
    int x = blockIdx.x * blockDim.x + threadIdx.x;
    int y = blockIdx.y * blockDim.y + threadIdx.y;
    if (x >= outWidth || y >= outHeight) {
        return;
    }
    int rx = x - j.padLeft;
    int ry = y - j.padTop;
    int c[3];
    if (rx < 0 || ry < 0 || rx >= j.resizedWidth || ry >= j.resizedHeight) {
        c[0] = c[1] = c[2] = 114;
    } else if (j.mode == MODE_COPY) {
        pixel(j, rx, ry, c);
    } else if (j.mode == MODE_AREA2) {
        int a[3], b[3], d[3], e[3];
        pixel(j, 2 * rx, 2 * ry, a);
        pixel(j, 2 * rx + 1, 2 * ry, b);
        pixel(j, 2 * rx, 2 * ry + 1, d);
        pixel(j, 2 * rx + 1, 2 * ry + 1, e);
        for (int k = 0; k < 3; k++) {
            c[k] = (a[k] + b[k] + d[k] + e[k] + 2) >> 2;
        }
    } else {
        int x0, x1, wx0, wx1, y0, y1, wy0, wy1;
        weights(rx, j.width, j.resizedWidth, true, &x0, &x1, &wx0, &wx1);
        weights(ry, j.height, j.resizedHeight, false, &y0, &y1, &wy0, &wy1);
        int p00[3], p01[3], p10[3], p11[3];
        pixel(j, x0, y0, p00);
        pixel(j, x1, y0, p01);
        pixel(j, x0, y1, p10);
        pixel(j, x1, y1, p11);
        for (int k = 0; k < 3; k++) {
            int top = p00[k] * wx0 + p01[k] * wx1;
            int bottom = p10[k] * wx0 + p11[k] * wx1;
            c[k] = clamp255((((wy0 * (top >> 4)) >> 16) + ((wy1 * (bottom >> 4)) >> 16) + 2) >> 2);
        }
    }
    int plane = outWidth * outHeight;
    int o = y * outWidth + x;
    float* out = j.out;
    out[o] = c[0] / 255.f; // a division, as the CPU path does, for the same float
    out[plane + o] = c[1] / 255.f;
    out[2 * plane + o] = c[2] / 255.f;
}
