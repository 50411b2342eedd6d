package io.streamdetect.engine.tensorrt;

import static org.bytedeco.cuda.global.cudart.*;

import io.streamdetect.cuda.Cuda;
import io.streamdetect.engine.EngineInfo;
import java.nio.FloatBuffer;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * The output buffers of one run of a session: the engine's output tensor(s) on the device, their pinned copies on
 * the host, and the event recorded once the copies are queued, which tells when they have landed. A session has one
 * per run it may have queued at once, used in turn, so a run's output stays readable while the next run computes.
 * Sized for the engine's max batch. Owned by its {@link TensorRtSession}; {@link #close()} frees it all.
 *
 * <p>Plans with NMS ({@link NmsHead}) have two outputs, the per-image count and the detection rows; they are copied
 * back separately and put together ({@link #read}) in the layout {@link EngineInfo} documents.
 */
final class RunOutputs implements AutoCloseable {
    private final EngineInfo info;
    private final int floatsPerImage;
    private final Pointer device;
    private final FloatPointer host;
    private final FloatBuffer hostFloats;
    // NMS plans only: the count per image, on the device and pinned on the host, and the packed result; null otherwise
    private final Pointer deviceCounts;
    private final IntPointer hostCounts;
    private final FloatBuffer packed;
    private final CUevent_st copied = new CUevent_st();

    /** On the current device; frees what it allocated if a later allocation fails. */
    RunOutputs(EngineInfo info, int floatsPerImage) {
        this.info = info;
        this.floatsPerImage = floatsPerImage;
        long floats = (long) info.maxBatch() * floatsPerImage;
        Pointer d = null;
        FloatPointer h = null;
        Pointer dc = null;
        IntPointer hc = null;
        try {
            d = Cuda.malloc(floats * Float.BYTES, "output batch");
            h = Cuda.mallocHost(floats, "output batch");
            if (info.nmsInEngine()) {
                dc = Cuda.malloc((long) info.maxBatch() * Integer.BYTES, "detection counts");
                hc = new IntPointer();
                Cuda.check(cudaMallocHost(hc, (long) info.maxBatch() * Integer.BYTES), "cudaMallocHost for detection counts");
                hc.capacity(info.maxBatch()).limit(info.maxBatch());
            }
            Cuda.check(cudaEventCreateWithFlags(copied, cudaEventDisableTiming), "cudaEventCreateWithFlags");
        } catch (RuntimeException | Error e) {
            Cuda.free(d);
            Cuda.freeHost(h);
            Cuda.free(dc);
            Cuda.freeHost(hc);
            throw e;
        }
        this.device = d;
        this.host = h;
        this.hostFloats = h.asBuffer();
        this.deviceCounts = dc;
        this.hostCounts = hc;
        this.packed = info.nmsInEngine() ? FloatBuffer.allocate(info.maxBatch() * info.outputSize()) : null;
    }

    /** The device buffer of the main output tensor (rows, or NMS detections). */
    Pointer device() {
        return device;
    }

    /** The device buffer of the NMS plan's per-image counts; null for plans without NMS. */
    Pointer deviceCounts() {
        return deviceCounts;
    }

    /** Queues the copies of {@code batchSize} images' outputs to the host on {@code stream}, then the event. */
    void copyBack(int batchSize, CUstream_st stream) {
        Cuda.check(cudaMemcpyAsync(host, device, (long) batchSize * floatsPerImage * Float.BYTES,
                cudaMemcpyDeviceToHost, stream), "output copy from the GPU");
        if (deviceCounts != null) {
            Cuda.check(cudaMemcpyAsync(hostCounts, deviceCounts, (long) batchSize * Integer.BYTES,
                    cudaMemcpyDeviceToHost, stream), "detection count copy from the GPU");
        }
        Cuda.check(cudaEventRecord(copied, stream), "cudaEventRecord after the output copy");
    }

    /** Whether the copies queued by the last {@link #copyBack} have landed; never blocks. */
    boolean landed() {
        int status = cudaEventQuery(copied);
        if (status == cudaErrorNotReady) {
            return false;
        }
        Cuda.check(status, "cudaEventQuery on a run's output copy");
        return true;
    }

    /** Waits for the copies queued by the last {@link #copyBack}. */
    void awaitLanded() {
        Cuda.check(cudaEventSynchronize(copied), "cudaEventSynchronize on a run's output copy");
    }

    /** The {@code batchSize} images' outputs on the host, in {@link EngineInfo}'s layout; once they have landed. */
    FloatBuffer read(int batchSize) {
        if (packed == null) {
            return hostFloats.slice(0, batchSize * info.outputSize());
        }
        for (int i = 0; i < batchSize; i++) { // count, then the rows: only the rows that hold detections are copied
            int count = Math.max(0, Math.min(hostCounts.get(i), info.nmsMaxDetections()));
            int at = i * info.outputSize();
            packed.put(at, count);
            packed.put(at + 1, hostFloats, i * floatsPerImage, count * EngineInfo.DETECTION_FIELDS);
        }
        return packed.slice(0, batchSize * info.outputSize());
    }

    /** Device memory held: the output tensors. */
    long deviceBytes() {
        return (long) info.maxBatch() * floatsPerImage * Float.BYTES
                + (deviceCounts == null ? 0 : (long) info.maxBatch() * Integer.BYTES);
    }

    @Override
    public void close() {
        if (!copied.isNull()) {
            cudaEventDestroy(copied);
            copied.setNull();
        }
        Cuda.free(device);
        Cuda.freeHost(host);
        Cuda.free(deviceCounts);
        Cuda.freeHost(hostCounts);
    }
}
