package io.streamdetect.preprocess.gpu;

import static org.bytedeco.cuda.global.nvjpeg.*;

import io.streamdetect.cuda.Cuda;
import io.streamdetect.engine.EngineException;
import java.util.List;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.nvjpeg.nvjpegHandle;
import org.bytedeco.cuda.nvjpeg.nvjpegImage_t;
import org.bytedeco.cuda.nvjpeg.nvjpegJpegState;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batched JPEG decode with nvJPEG into interleaved RGB in device memory. Prefers the hardware decoder (A100,
 * H100 and later have JPEG engines beside the SMs, so decoding does not take compute from inference) and falls
 * back to nvJPEG's default (hybrid CPU/GPU) backend elsewhere.
 *
 * <p>Owns its nvJPEG handle and state, the pinned host buffer the compressed bytes are staged in and the device
 * buffer the pixels land in; both buffers grow to the largest batch seen. {@link #close()} frees all of it. Not
 * thread-safe: one per session.
 */
final class NvJpegDecoder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NvJpegDecoder.class);

    private final nvjpegHandle handle = new nvjpegHandle();
    private final nvjpegJpegState state = new nvjpegJpegState();
    private final String backend;
    private final int maxBatch;
    private final nvjpegImage_t images;
    private final PointerPointer<BytePointer> bitstreams;
    private final SizeTPointer lengths;
    private int initializedBatch = -1;
    private BytePointer staging;
    private Pointer pixels;
    private long pixelCapacity;

    NvJpegDecoder(int maxBatch) {
        this.maxBatch = maxBatch;
        this.backend = create();
        check(nvjpegJpegStateCreate(handle, state), "nvjpegJpegStateCreate");
        this.images = new nvjpegImage_t(maxBatch);
        this.bitstreams = new PointerPointer<>(maxBatch);
        this.lengths = new SizeTPointer(maxBatch);
    }

    /**
     * System property choosing nvJPEG's backend: {@code hardware} (the default where the GPU has JPEG engines) or
     * {@code default} (nvJPEG's hybrid backend, e.g. to compare the two).
     */
    static final String BACKEND_PROPERTY = "streamdetect.nvjpeg.backend";

    private String create() {
        boolean hardware = !"default".equalsIgnoreCase(System.getProperty(BACKEND_PROPERTY, "hardware"));
        // interpolated chroma upsampling, as libjpeg's default "fancy upsampling" on the CPU path
        if (hardware && nvjpegCreateEx(NVJPEG_BACKEND_HARDWARE, null, null, NVJPEG_FLAGS_UPSAMPLING_WITH_INTERPOLATION, handle)
                == NVJPEG_STATUS_SUCCESS) {
            return "hardware";
        }
        if (hardware && nvjpegCreateEx(NVJPEG_BACKEND_HARDWARE, null, null, NVJPEG_FLAGS_DEFAULT, handle)
                == NVJPEG_STATUS_SUCCESS) {
            return "hardware";
        }
        if (hardware) {
            LOG.info("this GPU has no JPEG decoder engine: nvJPEG decodes with its default backend");
        }
        check(nvjpegCreateEx(NVJPEG_BACKEND_DEFAULT, null, null, NVJPEG_FLAGS_DEFAULT, handle), "nvjpegCreateEx");
        return "default";
    }

    /** "hardware" (the GPU's JPEG engines) or "default" (nvJPEG's hybrid CPU/GPU decoder). */
    String backend() {
        return backend;
    }

    /**
     * Queues the decode of {@code jpegs} (sizes from their headers) on {@code stream}.
     *
     * @return each image's device address; its rows are {@code 3 × width} bytes apart. Valid until the next call.
     * @throws EngineException when nvJPEG rejects the batch; the caller decodes those images on the CPU
     */
    long[] decode(List<byte[]> jpegs, int[] widths, int[] heights, CUstream_st stream) {
        int n = jpegs.size();
        if (n < 1 || n > maxBatch) {
            throw new IllegalArgumentException("batch of " + n + " outside 1.." + maxBatch);
        }
        long compressed = 0;
        long decoded = 0;
        for (int i = 0; i < n; i++) {
            compressed += jpegs.get(i).length;
            decoded += align(3L * widths[i] * heights[i]);
        }
        ensureCapacity(compressed, decoded);
        if (n != initializedBatch) {
            check(nvjpegDecodeBatchedInitialize(handle, state, n, 1, NVJPEG_OUTPUT_RGBI), "nvjpegDecodeBatchedInitialize");
            initializedBatch = n;
        }
        long[] addresses = new long[n];
        long hostOffset = 0;
        long deviceOffset = 0;
        for (int i = 0; i < n; i++) {
            byte[] jpeg = jpegs.get(i);
            staging.position(hostOffset).put(jpeg, 0, jpeg.length);
            bitstreams.put(i, Cuda.at(staging.address() + hostOffset));
            lengths.put(i, jpeg.length);
            addresses[i] = pixels.address() + deviceOffset;
            nvjpegImage_t image = images.getPointer(i);
            image.channel(0, new BytePointer(Cuda.at(addresses[i])));
            image.pitch(0, 3L * widths[i]);
            hostOffset += jpeg.length;
            deviceOffset += align(3L * widths[i] * heights[i]);
        }
        staging.position(0);
        check(nvjpegDecodeBatched(handle, state, bitstreams, lengths, images, stream), "nvjpegDecodeBatched");
        return addresses;
    }

    private static long align(long bytes) {
        return (bytes + 255) & ~255L; // keep every image on a 256-byte boundary
    }

    private void ensureCapacity(long compressed, long decoded) {
        if (staging == null || staging.capacity() < compressed) {
            Cuda.freeHost(staging);
            staging = Cuda.mallocHostBytes(compressed + compressed / 2, "compressed images");
        }
        if (pixels == null || pixels.isNull() || pixelCapacity < decoded) {
            Cuda.free(pixels);
            pixelCapacity = decoded + decoded / 2;
            pixels = Cuda.malloc(pixelCapacity, "decoded images");
        }
    }

    private static void check(int status, String what) {
        if (status != NVJPEG_STATUS_SUCCESS) {
            throw new EngineException(what + " failed: nvJPEG status " + status);
        }
    }

    @Override
    public void close() {
        nvjpegJpegStateDestroy(state);
        nvjpegDestroy(handle);
        Cuda.freeHost(staging);
        Cuda.free(pixels);
        images.close();
        bitstreams.close();
        lengths.close();
    }
}
