// Ultralytics' letterbox for one decoded image, written straight into the engine's input: bilinear resize with
// OpenCV's INTER_LINEAR conventions, grey 114 padding, RGB planes, /255, NCHW float. One thread per output pixel.
// Must give what preprocess/LetterboxPreprocessor gives on the CPU (cv::resize on 8-bit pixels, then /255).

// OpenCV's source coordinate for INTER_LINEAR: half-pixel centres, clamped to the image with weight moved to the
// edge pixel (resize.cpp: fx = (dx + 0.5) * scale - 0.5; sx = floor(fx); sx < 0 or sx >= size - 1 -> fx = 0).
__device__ __forceinline__ void source(int d, float scale, int size, int* s0, int* s1, float* f) {
    float fs = (d + 0.5f) * scale - 0.5f;
    int s = (int) floorf(fs);
    fs -= s;
    if (s < 0) { s = 0; fs = 0.f; }
    if (s >= size - 1) { s = size - 1; fs = 0.f; }
    *s0 = s;
    *s1 = min(s + 1, size - 1);
    *f = fs;
}

extern "C" __global__ void letterbox(const unsigned char* __restrict__ rgb, int srcWidth, int srcHeight, int pitch,
                                     float* __restrict__ out, int outWidth, int outHeight,
                                     int resizedWidth, int resizedHeight, int padLeft, int padTop) {
    int x = blockIdx.x * blockDim.x + threadIdx.x;
    int y = blockIdx.y * blockDim.y + threadIdx.y;
    if (x >= outWidth || y >= outHeight) {
        return;
    }
    int plane = outWidth * outHeight;
    int o = y * outWidth + x;
    int rx = x - padLeft;
    int ry = y - padTop;
    float c[3];
    if (rx < 0 || ry < 0 || rx >= resizedWidth || ry >= resizedHeight) {
        c[0] = c[1] = c[2] = 114.f;
    } else if (resizedWidth == srcWidth && resizedHeight == srcHeight) {
        const unsigned char* p = rgb + (size_t) ry * pitch + 3 * rx;
        c[0] = p[0]; c[1] = p[1]; c[2] = p[2];
    } else {
        int x0, x1, y0, y1;
        float fx, fy;
        source(rx, (float) srcWidth / resizedWidth, srcWidth, &x0, &x1, &fx);
        source(ry, (float) srcHeight / resizedHeight, srcHeight, &y0, &y1, &fy);
        const unsigned char* r0 = rgb + (size_t) y0 * pitch;
        const unsigned char* r1 = rgb + (size_t) y1 * pitch;
        for (int k = 0; k < 3; k++) {
            float top = r0[3 * x0 + k] * (1.f - fx) + r0[3 * x1 + k] * fx;
            float bottom = r1[3 * x0 + k] * (1.f - fx) + r1[3 * x1 + k] * fx;
            // the CPU path resizes 8-bit pixels, so round to 8 bits before normalising, as it does
            c[k] = fminf(255.f, fmaxf(0.f, rintf(top * (1.f - fy) + bottom * fy)));
        }
    }
    out[o] = c[0] / 255.f; // a division, as the CPU path does, for the same float
    out[plane + o] = c[1] / 255.f;
    out[2 * plane + o] = c[2] / 255.f;
}
