package io.streamdetect.preprocess.gpu;

import static org.bytedeco.cuda.global.nvjpeg.*;

import io.streamdetect.TimedCount;
import io.streamdetect.cuda.Cuda;
import io.streamdetect.engine.EngineException;
import java.util.List;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.nvjpeg.nvjpegHandle;
import org.bytedeco.cuda.nvjpeg.nvjpegImage_t;
import org.bytedeco.cuda.nvjpeg.nvjpegJpegState;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Batched JPEG decode with nvJPEG into component planes (Y, Cb, Cr) in device memory. Prefers the hardware
 * decoder (A100, H100 and later have JPEG engines beside the SMs, so decoding does not take compute from
 * inference) and falls back to nvJPEG's default (hybrid CPU/GPU) backend elsewhere. Measured here (sessions 4-5):
 * a batch's upload, from this call to its stream's synchronisation, does not complete before the GPU work submitted
 * before the call, on any stream, and is not held up by work submitted after it; see {@code DecodeFirst} for how the
 * batcher orders the two so that decoding overlaps inference. Reported elsewhere (H100, torchcodec pull request
 * 1634): the hardware decode's writes start when it is called, not after the work queued before it on its own
 * stream. Both can hold (one is about when a batch completes, the other about when its writes start); the second is
 * why the planes of the last call must no longer be in use when this is called.
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
    // nvjpegGetImageInfo's outputs, reused for every image
    private final IntPointer infoComponents = new IntPointer(1);
    private final IntPointer infoSubsampling = new IntPointer(1);
    private final IntPointer infoWidths = new IntPointer(NVJPEG_MAX_COMPONENT);
    private final IntPointer infoHeights = new IntPointer(NVJPEG_MAX_COMPONENT);
    private int initializedBatch = -1;
    /** Re-initialisations of the batched decoder (each batch size change) and their time; volatile: read by others. */
    private volatile long initializations;
    private volatile long initializeNanos;
    private BytePointer staging;
    private Pointer pixels;
    private long pixelCapacity;

    /** A decoder on the CUDA device whose context is current on this thread. */
    NvJpegDecoder(int maxBatch) {
        this.maxBatch = maxBatch;
        // host-side arrays first (the garbage collector frees them if this fails), then nvJPEG's own objects
        this.images = new nvjpegImage_t(maxBatch);
        this.bitstreams = new PointerPointer<>(maxBatch);
        this.lengths = new SizeTPointer(maxBatch);
        try {
            this.backend = create();
            padAllocations();
            check(nvjpegJpegStateCreate(handle, state), "nvjpegJpegStateCreate");
        } catch (RuntimeException | Error e) { // what was created goes, in reverse order
            destroyNvJpeg();
            throw e;
        }
    }

    /**
     * System property choosing nvJPEG's backend, for experiments: {@code hardware} (the default where the GPU has JPEG
     * engines) or {@code default} (nvJPEG's hybrid backend: Huffman decoding on one CPU thread, 750 img/s on an H200's
     * host, session 4). nvJPEG's GPU-hybrid backend (Huffman decoding in CUDA kernels) was tried here in session 12
     * and taken out: 36.9 ms of GPU upload per batch of 64 against the hardware decoder's 8.9 ms, and the streaming
     * job at a third of the hardware decoder's rate (docs/benchmarks.md).
     */
    static final String BACKEND_PROPERTY = "streamdetect.nvjpeg.backend";

    /**
     * System property, for experiments (off by default): megabytes nvJPEG adds to each of its device and pinned
     * allocations, so that batches of other sizes or larger images reuse its buffers instead of freeing and
     * allocating again. A {@code cudaFree} waits for all work on the GPU, the running batch's inference included;
     * {@code scripts/gpu/latency-diagnosis.sh} compares decoding with and without padding.
     */
    static final String PADDING_PROPERTY = "streamdetect.nvjpeg.padding-mb";

    private void padAllocations() {
        long megabytes = Long.getLong(PADDING_PROPERTY, 0L);
        if (megabytes > 0) {
            check(nvjpegSetDeviceMemoryPadding(megabytes << 20, handle), "nvjpegSetDeviceMemoryPadding");
            check(nvjpegSetPinnedMemoryPadding(megabytes << 20, handle), "nvjpegSetPinnedMemoryPadding");
            LOG.info("nvJPEG pads its device and pinned allocations by {} MB (-D{})", megabytes, PADDING_PROPERTY);
        }
    }

    private String create() {
        String value = System.getProperty(BACKEND_PROPERTY, "hardware");
        String asked = value.trim().toLowerCase(java.util.Locale.ROOT);
        if (!asked.equals("hardware") && !asked.equals("default")) {
            throw new EngineException("-D" + BACKEND_PROPERTY + "=" + value + " is not a backend: hardware (the default) "
                    + "or default");
        }
        boolean hardware = asked.equals("hardware");
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
     * Queues the decode of {@code jpegs} on {@code stream} into their component planes (Y, Cb, Cr at their own,
     * possibly subsampled, resolution). The letterbox kernel upsamples chroma and converts to RGB itself, exactly as
     * libjpeg does on the CPU path; nvJPEG's own RGB output rounds differently.
     *
     * @return each image's planes, readable by work queued on {@code stream} after this call. Valid until the next call,
     *         which overwrites them at once: the hardware decode does not wait for work queued before it on {@code
     *         stream}, so the caller must have finished reading them (GpuPreprocessor synchronises its stream).
     * @throws EngineException when nvJPEG rejects the batch or an image's chroma layout; the caller decodes those
     *         images on the CPU
     */
    DecodedPlanes[] decode(List<byte[]> jpegs, CUstream_st stream) {
        int n = jpegs.size();
        if (n < 1 || n > maxBatch) {
            throw new IllegalArgumentException("batch of " + n + " outside 1.." + maxBatch);
        }
        long compressed = 0;
        for (byte[] jpeg : jpegs) {
            compressed += jpeg.length;
        }
        ensureStaging(compressed);
        DecodedPlanes.Layout[] layouts = new DecodedPlanes.Layout[n];
        long decoded = 0;
        long hostOffset = 0;
        for (int i = 0; i < n; i++) {
            byte[] jpeg = jpegs.get(i);
            staging.position(hostOffset).put(jpeg, 0, jpeg.length);
            bitstreams.put(i, Cuda.at(staging.address() + hostOffset));
            lengths.put(i, jpeg.length);
            layouts[i] = layout(staging.address() + hostOffset, jpeg.length);
            decoded += layouts[i].bytes();
            hostOffset += jpeg.length;
        }
        staging.position(0);
        ensurePixels(decoded);
        if (n != initializedBatch) {
            long start = System.nanoTime();
            check(nvjpegDecodeBatchedInitialize(handle, state, n, 1, NVJPEG_OUTPUT_YUV), "nvjpegDecodeBatchedInitialize");
            initializeNanos += System.nanoTime() - start; // writes one at a time: Predictor holds the preprocessor
            initializations++;
            initializedBatch = n;
        }
        DecodedPlanes[] planes = new DecodedPlanes[n];
        long deviceOffset = 0;
        for (int i = 0; i < n; i++) {
            planes[i] = layouts[i].at(pixels.address() + deviceOffset);
            deviceOffset += layouts[i].bytes();
            nvjpegImage_t image = images.getPointer(i);
            for (int c = 0; c < 3; c++) {
                image.channel(c, new BytePointer(Cuda.at(planes[i].plane(c))));
                image.pitch(c, planes[i].pitch(c));
            }
        }
        check(nvjpegDecodeBatched(handle, state, bitstreams, lengths, images, stream), "nvjpegDecodeBatched");
        return planes;
    }

    /**
     * How often the batched decoder was re-initialised, for a batch of another size than the last, and the time that
     * took: nvJPEG's batched decode is set up for one batch size at a time. Safe from any thread.
     */
    TimedCount initializations() {
        return new TimedCount(initializations, initializeNanos);
    }

    /**
     * Width and height as nvJPEG parses {@code jpeg}'s header, before anything is allocated for it; null when
     * nvJPEG cannot parse it.
     */
    int[] imageSize(byte[] jpeg) {
        try (BytePointer bytes = new BytePointer(jpeg)) {
            if (nvjpegGetImageInfo(handle, bytes, jpeg.length, infoComponents, infoSubsampling, infoWidths, infoHeights)
                    != NVJPEG_STATUS_SUCCESS) {
                return null;
            }
            return new int[] {infoWidths.get(0), infoHeights.get(0)};
        }
    }

    /** Plane sizes from the image's header, as nvJPEG reads it. */
    private DecodedPlanes.Layout layout(long jpegAddress, int length) {
        check(nvjpegGetImageInfo(handle, new BytePointer(Cuda.at(jpegAddress)), length, infoComponents, infoSubsampling,
                infoWidths, infoHeights), "nvjpegGetImageInfo");
        int subsampling = infoSubsampling.get();
        int width = infoWidths.get(0);
        int height = infoHeights.get(0);
        if (subsampling == NVJPEG_CSS_GRAY) {
            return DecodedPlanes.Layout.grey(width, height);
        }
        int shiftX;
        int shiftY;
        if (subsampling == NVJPEG_CSS_444) {
            shiftX = 0;
            shiftY = 0;
        } else if (subsampling == NVJPEG_CSS_422) {
            shiftX = 1;
            shiftY = 0;
        } else if (subsampling == NVJPEG_CSS_420) {
            shiftX = 1;
            shiftY = 1;
        } else {
            throw new EngineException("nvJPEG chroma subsampling " + subsampling + " is not one the letterbox kernel upsamples");
        }
        return DecodedPlanes.Layout.colour(width, height, infoWidths.get(1), infoHeights.get(1), shiftX, shiftY);
    }

    private void ensureStaging(long compressed) {
        if (staging == null || staging.capacity() < compressed) {
            Cuda.freeHost(staging);
            staging = Cuda.mallocHostBytes(compressed + compressed / 2, "compressed images");
        }
    }

    private void ensurePixels(long decoded) {
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

    /** nvJPEG's state, handle and buffers. Safe on what was never made. */
    private void destroyNvJpeg() {
        if (!state.isNull()) {
            nvjpegJpegStateDestroy(state);
            state.setNull();
        }
        if (!handle.isNull()) {
            nvjpegDestroy(handle);
            handle.setNull();
        }
        Cuda.freeHost(staging);
        staging = null;
        Cuda.free(pixels);
        pixels = null;
    }

    @Override
    public void close() {
        destroyNvJpeg();
        images.close();
        bitstreams.close();
        lengths.close();
        infoComponents.close();
        infoSubsampling.close();
        infoWidths.close();
        infoHeights.close();
    }
}
