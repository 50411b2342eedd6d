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
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.function.Consumer;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;

/**
 * One slot's TensorRT state: an execution context per optimisation profile, a CUDA stream, one device-memory
 * block the contexts share (they run one after another on that stream), a device input buffer and the output
 * buffers of up to {@link DeviceInput#MAX_QUEUED_RUNS} runs ({@link RunOutputs}), all sized for the engine's max
 * batch, and the CUDA graphs of its launches. The one owner of that native memory: {@link #close()} frees it. A run
 * is H2D copy, the engine launch (a graph replay where one was captured, see {@link CudaGraphs}; else {@code
 * enqueueV3}), D2H copy on the slot's stream; with GPU pre-processing the input is written on the device into a
 * {@link DeviceBatch} instead, and the run reads it from there ({@link DeviceInput}), where a second run may be
 * queued behind the first. Each run uses the context of the profile that fits its batch best
 * ({@link OptimizationProfiles#indexFor}).
 *
 * <p>Every entry point first makes the session's device current on the calling thread: the contexts, stream and
 * buffers were made on the thread that opened the session, and runs come from others (MicroBatcher's threads),
 * whose current device is 0, or another slot's, unless set.
 *
 * <p>Queued runs on one context and stream: TensorRT reads the tensor addresses at {@code enqueueV3}, and the two
 * runs share the activation memory one after the other in stream order, so the second run may be given other output
 * buffers while the first still computes.
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
    /**
     * Used in turn, run after run, so that a collected run's output stays readable while the next one computes:
     * [0] made at open, [1] at the second run.
     */
    private final RunOutputs[] outputs = new RunOutputs[DeviceInput.MAX_QUEUED_RUNS];
    private int nextOutputs;
    /** Runs queued and not yet collected, oldest first. */
    private final ArrayDeque<Queued> queued = new ArrayDeque<>();
    /** Null when graphs are off: by setting, or for a plan with NMS in it (see TensorRtEngine). */
    private final CudaGraphs graphs;
    /**
     * Per context, the input shape's batch and the input address it was last given (0: not yet): setting them
     * again costs host time (TensorRT re-infers shapes) that a batch-1 run cannot spare, so only changes are set.
     */
    private final int[] contextBatch;
    private final long[] contextInput;
    /** Per context, the {@link #outputs} index its output tensors were last pointed at (-1: not yet). */
    private final int[] contextOutputs;
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
            this.contextMemoryBytes = contextMemoryBytes;
            this.contextMemory = contextMemoryBytes > 0 ? Cuda.malloc(contextMemoryBytes, "TensorRT activations") : null;
            this.deviceInput = Cuda.malloc(in * Float.BYTES, "input batch");
            outputs[0] = new RunOutputs(info, outputFloatsPerImage());
            this.contextBatch = new int[contexts.length];
            this.contextInput = new long[contexts.length];
            this.contextOutputs = new int[contexts.length];
            java.util.Arrays.fill(contextOutputs, -1);
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

    /** Gives each context its profile, the shared device memory and the input address; what failed, or null. */
    private String prepareContexts() {
        for (int i = 0; i < contexts.length; i++) {
            IExecutionContext context = contexts[i];
            if (contexts.length > 1 && !context.setOptimizationProfileAsync(i, stream)) {
                return "optimisation profile " + i;
            }
            // also with size 0 (null memory): a kUSER_MANAGED context must be given its memory before enqueue
            context.setDeviceMemoryV2(contextMemory == null ? new Pointer() : contextMemory, contextMemoryBytes);
            if (!context.setTensorAddress(info.inputName(), deviceInput)) {
                return "the input tensor address";
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
        long bytes = contextMemoryBytes + (long) info.maxBatch() * info.inputSize() * Float.BYTES;
        for (RunOutputs o : outputs) {
            bytes += o == null ? 0 : o.deviceBytes();
        }
        return bytes;
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
        requireNothingQueued("a run from host memory");
        Cuda.setDevice(device);
        Cuda.check(cudaMemcpyAsync(deviceInput, input.pointer(), (long) batchSize * info.inputSize() * Float.BYTES,
                cudaMemcpyHostToDevice, stream), "input copy to the GPU");
        return queue(deviceInput, batchSize).await();
    }

    @Override
    public DeviceBatch newDeviceBatch() {
        Cuda.useDevice(device);
        return new DeviceBatch(info.maxBatch(), (long) info.inputSize() * Float.BYTES);
    }

    @Override
    public QueuedRun queueOnDevice(DeviceBatch input, int batchSize) {
        if (input.capacity() < batchSize || input.imageBytes() != (long) info.inputSize() * Float.BYTES) {
            throw new IllegalArgumentException("a device batch of " + input.capacity() + " images of " + input.imageBytes()
                    + " bytes does not fit this engine's input");
        }
        return queue(input.pointer(), batchSize);
    }

    /** Queues a run on the input at {@code inputMemory}, behind the work already queued on this session's stream. */
    private Queued queue(Pointer inputMemory, int batchSize) {
        checkBatch(batchSize);
        if (queued.size() >= DeviceInput.MAX_QUEUED_RUNS) {
            throw new IllegalStateException(queued.size() + " runs are queued on this session already: collect the "
                    + "oldest first");
        }
        Cuda.setDevice(device);
        int index = nextOutputs;
        if (outputs[index] == null) {
            outputs[index] = new RunOutputs(info, outputFloatsPerImage());
        }
        launch(inputMemory, batchSize, index);
        outputs[index].copyBack(batchSize, stream);
        nextOutputs = (index + 1) % outputs.length;
        Queued run = new Queued(index, batchSize);
        queued.addLast(run);
        return run;
    }

    /** A queued run; collected once, in the order queued. */
    private final class Queued implements QueuedRun {
        private final RunOutputs out;
        private final int batchSize;

        Queued(int index, int batchSize) {
            this.out = outputs[index];
            this.batchSize = batchSize;
        }

        @Override
        public boolean finished() {
            Cuda.setDevice(device);
            return out.landed();
        }

        @Override
        public FloatBuffer await() {
            if (queued.peekFirst() != this) {
                throw new IllegalStateException(queued.contains(this) ? "a run queued before this one is not collected yet"
                        : "this run was collected already");
            }
            Cuda.setDevice(device);
            try {
                out.awaitLanded();
            } finally {
                queued.removeFirst(); // also when the GPU failed: the session is broken then, and says so on every call
            }
            return out.read(batchSize);
        }
    }

    private void requireNothingQueued(String what) {
        if (!queued.isEmpty()) {
            throw new IllegalStateException(what + " while " + queued.size() + " run(s) are queued: collect them first");
        }
    }

    /**
     * Queues the engine on the batch at {@code inputMemory}, its outputs into {@code outputs[outputIndex]}: with the
     * profile that fits, as a graph if it can.
     */
    private void launch(Pointer inputMemory, int batchSize, int outputIndex) {
        checkBatch(batchSize);
        int size = runSize(batchSize);
        int profile = pinnedProfile >= 0 ? pinnedProfile : profiles.indexFor(size);
        IExecutionContext context = contexts[profile];
        if (contextInput[profile] != inputMemory.address()) {
            bindInput(context, inputMemory);
            contextInput[profile] = inputMemory.address();
        }
        if (contextOutputs[profile] != outputIndex) {
            bindOutputs(context, outputs[outputIndex]);
            contextOutputs[profile] = outputIndex;
        }
        if (contextBatch[profile] != size) {
            setBatch(context, size);
            contextBatch[profile] = size;
        }
        if (graphs == null) {
            enqueue(context, size);
        } else {
            graphs.run(profile, size, inputMemory.address(), outputIndex, () -> enqueue(context, size));
        }
    }

    @Override
    public void warmUp(int largestBatch) {
        warmUp(deviceInput, (long) info.maxBatch() * info.inputSize() * Float.BYTES, largestBatch);
    }

    /** Also for the second runs' outputs: a graph bakes in the output addresses as well. */
    @Override
    public void warmUp(DeviceBatch input, int largestBatch) {
        if (graphs != null && outputs[1] == null) {
            Cuda.setDevice(device);
            outputs[1] = new RunOutputs(info, outputFloatsPerImage());
        }
        warmUp(input.pointer(), input.capacity() * input.imageBytes(), largestBatch);
    }

    /**
     * Runs every batch size that is launched as a graph once on {@code inputMemory}, so that its graph is captured
     * now (see {@link CudaGraphs#warmUpSizes}); the input is zeroed first, so that the runs compute on numbers.
     */
    private void warmUp(Pointer inputMemory, long inputBytes, int largestBatch) {
        requireNothingQueued("a warm-up");
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
            for (int o = 0; o < outputs.length && outputs[o] != null; o++) {
                launch(inputMemory, size, o);
                Cuda.check(cudaStreamSynchronize(stream), "cudaStreamSynchronize after a warm-up run");
            }
        }
    }

    /** The engine alone on whatever is in device memory: no copies. For benchmarks. */
    @Override
    public void runComputeOnly(InputBatch input, int batchSize) {
        requireNothingQueued("a compute-only run");
        Cuda.setDevice(device);
        launch(deviceInput, batchSize, 0);
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

    /** Points the context's output tensors at {@code out}. */
    private void bindOutputs(IExecutionContext context, RunOutputs out) {
        boolean addressed = context.setTensorAddress(info.outputName(), out.device());
        if (info.nmsInEngine()) {
            addressed &= context.setTensorAddress(NmsHead.COUNT, out.deviceCounts());
        }
        if (!addressed) {
            throw new EngineException("TensorRT refused the output addresses: " + TensorRtLogger.INSTANCE.takeLastError());
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
        return graphs == null ? "off by setting or for a plan with NMS in it" : graphs.disabledBecause();
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
        if (!stream.isNull()) { // runs still queued (a batcher that gave up waiting never closes under one)
            cudaStreamSynchronize(stream);
        }
        queued.clear();
        Cuda.free(contextMemory);
        Cuda.free(deviceInput);
        for (RunOutputs o : outputs) {
            if (o != null) {
                o.close();
            }
        }
        if (!stream.isNull()) {
            cudaStreamDestroy(stream);
            stream.setNull();
        }
        releaseContexts.accept(contexts);
    }
}
