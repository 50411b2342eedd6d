package io.streamdetect.preprocess.gpu;

import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;

import io.streamdetect.cuda.Cuda;
import io.streamdetect.preprocess.Letterbox;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * The letterbox kernel's job table: one entry per image of a batch (its decoded planes, its letterbox, its slot
 * of the engine's input), written here in pinned memory and copied to the GPU ahead of the kernel, so a whole
 * batch is one launch. Owns both copies; {@link #close()} frees them. Not thread-safe: one per session.
 *
 * <p>The host table is rewritten by the next batch, so each batch's copy must have run by then:
 * {@link GpuPreprocessor#upload} synchronises its stream before it returns.
 */
final class LetterboxJobs implements AutoCloseable {
    /** Size of {@code struct Job} in letterbox.cu: 4 pointers, 14 ints, padded to 8 bytes. */
    static final int JOB_BYTES = 88;
    static final int MODE_COPY = 0;
    static final int MODE_LINEAR = 1;
    static final int MODE_AREA2 = 2;

    private final int capacity;
    private final BytePointer host;
    private final ByteBuffer table;
    private final Pointer device;

    LetterboxJobs(int capacity) {
        this.capacity = capacity;
        this.host = Cuda.mallocHostBytes((long) capacity * JOB_BYTES, "letterbox job table");
        this.table = host.asByteBuffer().order(ByteOrder.nativeOrder());
        try {
            this.device = Cuda.malloc((long) capacity * JOB_BYTES, "letterbox job table");
        } catch (RuntimeException e) {
            Cuda.freeHost(host);
            throw e;
        }
    }

    /** Entry {@code index}: letterbox {@code planes} by {@code box} into the NCHW float image at {@code out}. */
    void set(int index, DecodedPlanes planes, Letterbox box, long out) {
        if (index < 0 || index >= capacity) {
            throw new IndexOutOfBoundsException("job " + index + " outside 0.." + (capacity - 1));
        }
        DecodedPlanes.Layout layout = planes.layout();
        int at = index * JOB_BYTES;
        table.putLong(at, planes.plane(0)).putLong(at + 8, planes.plane(1)).putLong(at + 16, planes.plane(2))
                .putLong(at + 24, out);
        int[] ints = {planes.pitch(0), planes.pitch(1), layout.width(), layout.height(), layout.chromaWidth(),
                layout.chromaHeight(), layout.chromaShiftX(), layout.chromaShiftY(), layout.grey() ? 1 : 0,
                mode(box), box.resizedWidth(), box.resizedHeight(), box.padLeft(), box.padTop()};
        for (int i = 0; i < ints.length; i++) {
            table.putInt(at + 32 + 4 * i, ints[i]);
        }
    }

    /** Queues the copy of the first {@code count} entries on {@code stream}; returns the device table's address. */
    long upload(int count, CUstream_st stream) {
        Cuda.check(cudaMemcpyAsync(device, host, (long) count * JOB_BYTES, cudaMemcpyHostToDevice, stream),
                "letterbox job table copy to the GPU");
        return device.address();
    }

    /**
     * How cv::resize treats this letterbox with INTER_LINEAR on 8-bit pixels: no resize at the same size, its
     * INTER_AREA fast path for an exact 2× downscale on both axes (resize.cpp: is_area_fast, iscale 2), else
     * bilinear.
     */
    static int mode(Letterbox box) {
        if (box.resizedWidth() == box.sourceWidth() && box.resizedHeight() == box.sourceHeight()) {
            return MODE_COPY;
        }
        double scaleX = 1.0 / ((double) box.resizedWidth() / box.sourceWidth());
        double scaleY = 1.0 / ((double) box.resizedHeight() / box.sourceHeight());
        return exactly(scaleX, 2) && exactly(scaleY, 2) ? MODE_AREA2 : MODE_LINEAR;
    }

    private static boolean exactly(double scale, int integer) {
        return Math.abs(scale - integer) < Math.ulp(1.0); // OpenCV's DBL_EPSILON test
    }

    @Override
    public void close() {
        Cuda.freeHost(host);
        Cuda.free(device);
    }
}
