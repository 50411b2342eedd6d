package io.streamdetect.engine.tensorrt;

import static org.bytedeco.cuda.global.cudart.*;

import io.streamdetect.TimedCount;
import io.streamdetect.cuda.Cuda;
import io.streamdetect.engine.DeviceBatch;
import io.streamdetect.engine.DeviceInput;
import io.streamdetect.engine.EngineException;
import io.streamdetect.engine.EngineInfo;
import io.streamdetect.engine.EngineSession;
import io.streamdetect.engine.InputBatch;
import java.nio.FloatBuffer;
import java.util.Optional;
import java.util.function.Consumer;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;

/**
 * One slot's TensorRT state: an execution context per optimisation profile, a CUDA stream, one device-memory
 * block the contexts share (they run one after another on that stream), device input/output buffers and pinned
 * host output buffers, all sized for the engine's max batch, and the CUDA graphs of its launches. The one owner
 * of that native memory: {@link #close()} frees it. A run is H2D copy, the engine launch (a graph replay where
 * one was captured, see {@link CudaGraphs}; else {@code enqueueV3}), D2H copy on the slot's stream; with GPU
 * pre-processing the input is written on the device into a {@link DeviceBatch} instead, and the run reads it from
 * there ({@link DeviceInput}). Each run uses the context of the profile that fits its batch best
 * ({@link OptimizationProfiles#indexFor}).
 *
 * <p>Every entry point first makes the session's device current on the calling thread: the contexts, stream and
 * buffers were made on the thread that opened the session, and runs come from others (MicroBatcher's threads),
 * whose current device is 0, or another slot's, unless set.
 *
 * <p>Plans with NMS ({@link NmsHead}) have two outputs, the per-image count and the detection rows; they are
 * copied back separately and put together in the layout {@link EngineInfo} documents.
 */
final class TensorRtSession implements EngineSession, DeviceInput {
    private final IExecutionContext[] contexts;
    private final Consumer<IExecutionContext[]> releaseContexts;
    private final OptimizationProfiles profiles;
    private final int pinnedProfile;
    private final EngineInfo info;
    private final int device;
    private final CUstream_st stream = new CUstream_st();
    private final Pointer contextMemory;
    private final long contextMemoryBytes;
    private final Pointer deviceInput;
    private final Pointer deviceOutput;
    private final FloatPointer hostOutput;
    private final FloatBuffer output;
    // NMS plans only: the count per image, on the device and pinned on the host; null otherwise
    private final Pointer deviceCounts;
    private final IntPointer hostCounts;
    private final FloatBuffer packed;
    /** Null when graphs are off: by setting (see TensorRtEngine). */
    private final CudaGraphs graphs;
    /**
     * Per context, the input shape's batch and the input address it was last given (0: not yet): setting them
     * again costs host time (TensorRT re-infers shapes) that a batch-1 run cannot spare, so only changes are set.
     */
    private final int[] contextBatch;
    private final long[] contextInput;
    private boolean closed;

    /**
     * @param contexts           one per profile, by profile index, created without device memory
     * @param contextMemoryBytes device memory the contexts need at most, over the profiles
     * @param releaseContexts    takes the contexts back when the session closes (the engine pools them)
     */
    TensorRtSession(IExecutionContext[] contexts, long contextMemoryBytes, OptimizationProfiles profiles, EngineInfo info,
                    int device, boolean cudaGraphs, Consumer<IExecutionContext[]> releaseContexts) {
        this.contexts = contexts;
        this.releaseContexts = releaseContexts;
        this.profiles = profiles;
        this.pinnedProfile = Integer.getInteger(TensorRtEngine.PIN_PROFILE_PROPERTY, -1);
        this.info = info;
        this.device = device;
        if (contexts.length != profiles.count() || pinnedProfile >= profiles.count()) {
            releaseContexts.accept(contexts);
            throw new EngineException("the plan has " + profiles.count() + " optimisation profile(s) but the session got "
                    + contexts.length + " context(s)"
                    + (pinnedProfile >= 0 ? " and -D" + TensorRtEngine.PIN_PROFILE_PROPERTY + "=" + pinnedProfile : ""));
        }
        try {
            // non-blocking: work that other libraries queue on the legacy default stream need not wait for this one
            Cuda.check(cudaStreamCreateWithFlags(stream, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
            long in = (long) info.maxBatch() * info.inputSize();
            long out = (long) info.maxBatch() * outputFloatsPerImage();
            this.contextMemoryBytes = contextMemoryBytes;
            this.contextMemory = contextMemoryBytes > 0 ? Cuda.malloc(contextMemoryBytes, "TensorRT activations") : null;
            this.deviceInput = Cuda.malloc(in * Float.BYTES, "input batch");
            this.deviceOutput = Cuda.malloc(out * Float.BYTES, "output batch");
            this.hostOutput = Cuda.mallocHost(out, "output batch");
            this.output = hostOutput.asBuffer();
            if (info.nmsInEngine()) {
                this.deviceCounts = Cuda.malloc((long) info.maxBatch() * Integer.BYTES, "detection counts");
                this.hostCounts = new IntPointer();
                Cuda.check(cudaMallocHost(hostCounts, (long) info.maxBatch() * Integer.BYTES), "cudaMallocHost for detection counts");
                hostCounts.capacity(info.maxBatch()).limit(info.maxBatch());
                this.packed = FloatBuffer.allocate(info.maxBatch() * info.outputSize());
            } else {
                this.deviceCounts = null;
                this.hostCounts = null;
                this.packed = null;
            }
            this.contextBatch = new int[contexts.length];
            this.contextInput = new long[contexts.length];
            this.graphs = cudaGraphs
                    ? new CudaGraphs(stream, "the " + info.precision().label() + " engine's session on GPU " + device) : null;
            String refused = prepareContexts();
            if (refused != null) {
                throw new EngineException("TensorRT refused " + refused + ": " + TensorRtLogger.INSTANCE.takeLastError());
            }
        } catch (RuntimeException | Error e) { // e.g. out of GPU memory: free what was allocated, return the contexts
            close();
            throw e;
        }
    }

    /** Gives each context its profile, the shared device memory and the output addresses; what failed, or null. */
    private String prepareContexts() {
        for (int i = 0; i < contexts.length; i++) {
            IExecutionContext context = contexts[i];
            if (contexts.length > 1 && !context.setOptimizationProfileAsync(i, stream)) {
                return "optimisation profile " + i;
            }
            // also with size 0 (null memory): a kUSER_MANAGED context must be given its memory before enqueue
            context.setDeviceMemoryV2(contextMemory == null ? new Pointer() : contextMemory, contextMemoryBytes);
            boolean addressed = context.setTensorAddress(info.inputName(), deviceInput)
                    && context.setTensorAddress(info.outputName(), deviceOutput);
            if (info.nmsInEngine()) {
                addressed &= context.setTensorAddress(NmsHead.COUNT, deviceCounts);
            }
            if (!addressed) {
                return "the tensor addresses";
            }
        }
        Cuda.check(cudaStreamSynchronize(stream), "cudaStreamSynchronize after choosing profiles");
        return null;
    }

    /**
     * Device memory this session holds: activations, input and output buffers (the device batches of GPU
     * pre-processing are their owner's).
     */
    @Override
    public long deviceMemoryBytes() {
        long in = (long) info.maxBatch() * info.inputSize() * Float.BYTES;
        long out = (long) info.maxBatch() * outputFloatsPerImage() * Float.BYTES;
        return contextMemoryBytes + in + out + (info.nmsInEngine() ? (long) info.maxBatch() * Integer.BYTES : 0);
    }

    /** Floats of the main output per image: raw rows × anchors, or max detections × 6 for NMS plans. */
    private int outputFloatsPerImage() {
        return info.outputRows() * info.outputAnchors();
    }

    @Override
    public EngineInfo info() {
        return info;
    }

    /** Pinned host memory, so the H2D copy is a DMA without a staging copy. */
    @Override
    public InputBatch newInputBatch() {
        Cuda.setDevice(device);
        FloatPointer pinned = Cuda.mallocHost((long) info.maxBatch() * info.inputSize(), "input batch");
        return new InputBatch(pinned, info.maxBatch(), info.inputSize(), () -> Cuda.freeHost(pinned));
    }

    @Override
    public FloatBuffer run(InputBatch input, int batchSize) {
        checkBatch(batchSize);
        Cuda.setDevice(device);
        Cuda.check(cudaMemcpyAsync(deviceInput, input.pointer(), (long) batchSize * info.inputSize() * Float.BYTES,
                cudaMemcpyHostToDevice, stream), "input copy to the GPU");
        return runFrom(deviceInput, batchSize);
    }

    @Override
    public DeviceBatch newDeviceBatch() {
        Cuda.useDevice(device);
        return new DeviceBatch(info.maxBatch(), (long) info.inputSize() * Float.BYTES);
    }

    @Override
    public FloatBuffer runOnDevice(DeviceBatch input, int batchSize) {
        if (input.capacity() < batchSize || input.imageBytes() != (long) info.inputSize() * Float.BYTES) {
            throw new IllegalArgumentException("a device batch of " + input.capacity() + " images of " + input.imageBytes()
                    + " bytes does not fit this engine's input");
        }
        return runFrom(input.pointer(), batchSize);
    }

    /** Runs on the input at {@code inputMemory}, after the work already queued on this session's stream. */
    private FloatBuffer runFrom(Pointer inputMemory, int batchSize) {
        Cuda.setDevice(device);
        launch(inputMemory, batchSize);
        Cuda.check(cudaMemcpyAsync(hostOutput, deviceOutput, (long) batchSize * outputFloatsPerImage() * Float.BYTES,
                cudaMemcpyDeviceToHost, stream), "output copy from the GPU");
        if (info.nmsInEngine()) {
            Cuda.check(cudaMemcpyAsync(hostCounts, deviceCounts, (long) batchSize * Integer.BYTES,
                    cudaMemcpyDeviceToHost, stream), "detection count copy from the GPU");
        }
        Cuda.check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
        return info.nmsInEngine() ? pack(batchSize) : output.slice(0, batchSize * info.outputSize());
    }

    /** Queues the engine on the batch at {@code inputMemory}: with the profile that fits, as a graph if it can. */
    private void launch(Pointer inputMemory, int batchSize) {
        checkBatch(batchSize);
        int size = runSize(batchSize);
        int profile = pinnedProfile >= 0 ? pinnedProfile : profiles.indexFor(size);
        IExecutionContext context = contexts[profile];
        if (contextInput[profile] != inputMemory.address()) {
            bindInput(context, inputMemory);
            contextInput[profile] = inputMemory.address();
        }
        if (contextBatch[profile] != size) {
            setBatch(context, size);
            contextBatch[profile] = size;
        }
        if (graphs == null) {
            enqueue(context, size);
        } else {
            graphs.run(profile, size, inputMemory.address(), () -> enqueue(context, size));
        }
    }

    /** Count, then the rows, per image: only the rows that hold detections are copied. */
    private FloatBuffer pack(int batchSize) {
        int rows = outputFloatsPerImage();
        for (int i = 0; i < batchSize; i++) {
            int count = Math.max(0, Math.min(hostCounts.get(i), info.nmsMaxDetections()));
            int at = i * info.outputSize();
            packed.put(at, count);
            packed.put(at + 1, output, i * rows, count * EngineInfo.DETECTION_FIELDS);
        }
        return packed.slice(0, batchSize * info.outputSize());
    }

    @Override
    public void warmUp(int largestBatch) {
        warmUp(deviceInput, (long) info.maxBatch() * info.inputSize() * Float.BYTES, largestBatch);
    }

    @Override
    public void warmUp(DeviceBatch input, int largestBatch) {
        warmUp(input.pointer(), input.capacity() * input.imageBytes(), largestBatch);
    }

    /**
     * Runs every batch size that is launched as a graph once on {@code inputMemory}, so that its graph is captured
     * now (see {@link CudaGraphs#warmUpSizes}); the input is zeroed first, so that the runs compute on numbers.
     */
    private void warmUp(Pointer inputMemory, long inputBytes, int largestBatch) {
        int[] sizes = graphs == null ? new int[0] : info.staticBatch()
                ? graphs.warmUpSizes(info.maxBatch(), info.maxBatch())
                : graphs.warmUpSizes(1, Math.min(largestBatch, info.maxBatch()));
        if (sizes.length == 0) {
            return;
        }
        Cuda.setDevice(device);
        Cuda.check(cudaMemsetAsync(inputMemory, 0, inputBytes, stream), "cudaMemsetAsync of the input before warm-up");
        Cuda.check(cudaStreamSynchronize(stream), "cudaStreamSynchronize after zeroing the input");
        for (int size : sizes) {
            launch(inputMemory, size);
            Cuda.check(cudaStreamSynchronize(stream), "cudaStreamSynchronize after a warm-up run");
        }
    }

    /** The engine alone on whatever is in device memory: no copies. For benchmarks. */
    @Override
    public void runComputeOnly(InputBatch input, int batchSize) {
        Cuda.setDevice(device);
        launch(deviceInput, batchSize);
        Cuda.check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
    }

    @Override
    public Optional<DeviceInput> deviceInput() {
        return Optional.of(this);
    }

    @Override
    public int cudaDevice() {
        return device;
    }

    /** Points the context's input tensor at {@code inputMemory}: a run may read any of the session's input batches. */
    private void bindInput(IExecutionContext context, Pointer inputMemory) {
        if (!context.setTensorAddress(info.inputName(), inputMemory)) {
            throw new EngineException("TensorRT refused the input address: " + TensorRtLogger.INSTANCE.takeLastError());
        }
    }

    private void checkBatch(int batchSize) {
        if (batchSize < 1 || batchSize > info.maxBatch()) {
            throw new IllegalArgumentException("batch size " + batchSize + " outside the engine's profile 1.." + info.maxBatch());
        }
    }

    /**
     * The images a run computes: the batch, or the model's fixed batch (its input shape cannot change), the slots
     * after the batch's images being padding whose outputs are not read.
     */
    private int runSize(int batchSize) {
        return info.staticBatch() ? info.maxBatch() : batchSize;
    }

    private void setBatch(IExecutionContext context, int size) {
        if (info.staticBatch()) {
            return; // no dynamic dimension to set
        }
        if (!context.setInputShape(info.inputName(), PlanBuilder.dims(size, info.inputHeight(), info.inputWidth()))) {
            throw new EngineException("TensorRT refused input shape batch " + size + ": " + TensorRtLogger.INSTANCE.takeLastError());
        }
    }

    private void enqueue(IExecutionContext context, int size) {
        if (!context.enqueueV3(stream)) {
            throw new EngineException("TensorRT enqueueV3 failed at batch " + size + ": " + TensorRtLogger.INSTANCE.takeLastError());
        }
    }

    @Override
    public TimedCount graphCaptures() {
        return graphs == null ? TimedCount.NONE : graphs.captures();
    }

    /** CUDA graphs captured so far; for tests. */
    int graphsCaptured() {
        return graphs == null ? 0 : graphs.size();
    }

    /** Why this session launches kernels one by one although graphs are on, or null; for tests. */
    String graphsOffBecause() {
        return graphs == null ? "off by setting" : graphs.disabledBecause();
    }

    @Override
    public void close() {
        if (closed) {
            return; // the contexts go back to the pool once: twice would give one set to two sessions
        }
        closed = true;
        Cuda.setDevice(device);
        if (graphs != null) {
            graphs.close();
        }
        Cuda.free(contextMemory);
        Cuda.free(deviceInput);
        Cuda.free(deviceOutput);
        Cuda.freeHost(hostOutput);
        Cuda.free(deviceCounts);
        Cuda.freeHost(hostCounts);
        if (!stream.isNull()) {
            cudaStreamDestroy(stream);
            stream.setNull();
        }
        releaseContexts.accept(contexts);
    }
}
