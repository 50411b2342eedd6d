// Runs letterbox.cu's kernel on the CPU, one loop over its grid, on the Y/Cb/Cr planes libjpeg decodes (what nvJPEG's
// hardware decoder gives on the GPU), and writes the NCHW floats. LetterboxKernelOnCpuTest compares them with the
// CPU path's; build: g++ -O2 -ffp-contract=off -DKERNEL='"letterbox.cu"' letterbox_on_cpu.cpp -ljpeg
// usage: letterbox_on_cpu in.jpg out.f32 target resizedWidth resizedHeight padLeft padTop mode
// (the geometry and mode as Letterbox.of and LetterboxJobs.mode give them)
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <jpeglib.h>
using std::max;
using std::min;

// the CUDA built-ins the kernel uses, for one host thread
struct Dim3 { unsigned x, y, z; };
static Dim3 blockIdx, threadIdx;
static const Dim3 blockDim = {32, 8, 1};
#define __device__
#define __global__
#define __forceinline__ inline
#define __restrict__
#define __shared__ static
static inline void __syncthreads() {}
static inline int __float2int_rn(float f) { return (int) nearbyintf(f); }
#include KERNEL

int main(int argc, char** argv) {
    if (argc != 9) {
        fprintf(stderr, "usage: %s in.jpg out.f32 target resizedWidth resizedHeight padLeft padTop mode\n", argv[0]);
        return 2;
    }
    FILE* in = fopen(argv[1], "rb");
    if (!in) {
        perror(argv[1]);
        return 2;
    }
    jpeg_decompress_struct info;
    jpeg_error_mgr errors;
    info.err = jpeg_std_error(&errors);
    jpeg_create_decompress(&info);
    jpeg_stdio_src(&info, in);
    jpeg_read_header(&info, TRUE);
    info.raw_data_out = TRUE;
    jpeg_start_decompress(&info);
    int width = info.image_width, height = info.image_height, components = info.num_components;
    unsigned char* planes[3];
    int pitch[3];
    for (int c = 0; c < components; c++) {
        pitch[c] = info.comp_info[c].width_in_blocks * DCTSIZE;
        planes[c] = (unsigned char*) malloc((size_t) pitch[c] * (info.comp_info[c].height_in_blocks + 8) * DCTSIZE);
    }
    JSAMPARRAY rows[3];
    int done[3] = {0, 0, 0};
    for (int c = 0; c < components; c++) {
        rows[c] = (JSAMPARRAY) malloc(sizeof(JSAMPROW) * info.comp_info[c].v_samp_factor * DCTSIZE);
    }
    while (info.output_scanline < (JDIMENSION) height) {
        for (int c = 0; c < components; c++) {
            int n = info.comp_info[c].v_samp_factor * DCTSIZE;
            for (int r = 0; r < n; r++) {
                rows[c][r] = planes[c] + (size_t) (done[c] + r) * pitch[c];
            }
            done[c] += n;
        }
        jpeg_read_raw_data(&info, rows, info.max_v_samp_factor * DCTSIZE);
    }
    int target = atoi(argv[3]);
    Job job;
    job.y = planes[0];
    job.cb = planes[components == 3 ? 1 : 0];
    job.cr = planes[components == 3 ? 2 : 0];
    job.out = (float*) malloc(sizeof(float) * 3 * target * target);
    job.lumaPitch = pitch[0];
    job.chromaPitch = pitch[components == 3 ? 1 : 0];
    job.width = width;
    job.height = height;
    job.chromaWidth = components == 3 ? info.comp_info[1].downsampled_width : width;
    job.chromaHeight = components == 3 ? info.comp_info[1].downsampled_height : height;
    job.chromaShiftX = components == 3 && info.max_h_samp_factor == 2 * info.comp_info[1].h_samp_factor;
    job.chromaShiftY = components == 3 && info.max_v_samp_factor == 2 * info.comp_info[1].v_samp_factor;
    job.grey = components == 1;
    job.resizedWidth = atoi(argv[4]);
    job.resizedHeight = atoi(argv[5]);
    job.padLeft = atoi(argv[6]);
    job.padTop = atoi(argv[7]);
    job.mode = atoi(argv[8]);
    blockIdx.z = 0;
    for (blockIdx.y = 0; blockIdx.y * blockDim.y < (unsigned) target; blockIdx.y++) {
        for (blockIdx.x = 0; blockIdx.x * blockDim.x < (unsigned) target; blockIdx.x++) {
            for (threadIdx.y = 0; threadIdx.y < blockDim.y; threadIdx.y++) {
                for (threadIdx.x = 0; threadIdx.x < blockDim.x; threadIdx.x++) {
                    letterbox(&job, target, target);
                }
            }
        }
    }
    FILE* out = fopen(argv[2], "wb");
    fwrite(job.out, sizeof(float), (size_t) 3 * target * target, out);
    fclose(out);
    printf("%dx%d, %d components, chroma shift %d,%d, mode %d\n", width, height, components, job.chromaShiftX,
           job.chromaShiftY, job.mode);
    return 0;
}
