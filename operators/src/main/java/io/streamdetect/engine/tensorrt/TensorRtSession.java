package io.streamdetect.engine.tensorrt;

import static org.bytedeco.cuda.global.cudart.*;

import io.streamdetect.engine.EngineException;
import io.streamdetect.engine.EngineInfo;
import io.streamdetect.engine.EngineSession;
import io.streamdetect.engine.InputBatch;
import java.nio.FloatBuffer;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;

/**
 * One slot's TensorRT state: an execution context, a CUDA stream, device input/output buffers and a pinned
 * host output buffer, all sized for the engine's max batch. The one owner of that native memory:
 * {@link #close()} frees it. A run is H2D copy, {@code enqueueV3}, D2H copy on the slot's stream.
 */
final class TensorRtSession implements EngineSession {
    private final IExecutionContext context;
    private final java.util.function.Consumer<IExecutionContext> releaseContext;
    private final EngineInfo info;
    private final CUstream_st stream = new CUstream_st();
    private final Pointer deviceInput;
    private final Pointer deviceOutput;
    private final FloatPointer hostOutput;
    private final FloatBuffer output;

    /** @param releaseContext takes the context back when the session closes (the engine pools them) */
    TensorRtSession(IExecutionContext context, EngineInfo info, java.util.function.Consumer<IExecutionContext> releaseContext) {
        if (context == null || context.isNull()) {
            throw new EngineException("TensorRT could not create an execution context: " + TensorRtLogger.INSTANCE.takeLastError());
        }
        this.context = context;
        this.releaseContext = releaseContext;
        this.info = info;
        Cuda.check(cudaStreamCreate(stream), "cudaStreamCreate");
        long in = (long) info.maxBatch() * info.inputSize();
        long out = (long) info.maxBatch() * info.outputSize();
        this.deviceInput = Cuda.malloc(in * Float.BYTES, "input batch");
        this.deviceOutput = Cuda.malloc(out * Float.BYTES, "output batch");
        this.hostOutput = Cuda.mallocHost(out, "output batch");
        this.output = hostOutput.asBuffer();
        if (!context.setTensorAddress(info.inputName(), deviceInput) || !context.setTensorAddress(info.outputName(), deviceOutput)) {
            close();
            throw new EngineException("TensorRT refused the tensor addresses: " + TensorRtLogger.INSTANCE.takeLastError());
        }
    }

    @Override
    public EngineInfo info() {
        return info;
    }

    /** Pinned host memory, so the H2D copy is a DMA without a staging copy. */
    @Override
    public InputBatch newInputBatch() {
        FloatPointer pinned = Cuda.mallocHost((long) info.maxBatch() * info.inputSize(), "input batch");
        return new InputBatch(pinned, info.maxBatch(), info.inputSize(), () -> Cuda.freeHost(pinned));
    }

    @Override
    public FloatBuffer run(InputBatch input, int batchSize) {
        setBatch(batchSize);
        Cuda.check(cudaMemcpyAsync(deviceInput, input.pointer(), (long) batchSize * info.inputSize() * Float.BYTES,
                cudaMemcpyHostToDevice, stream), "input copy to the GPU");
        enqueue(batchSize);
        Cuda.check(cudaMemcpyAsync(hostOutput, deviceOutput, (long) batchSize * info.outputSize() * Float.BYTES,
                cudaMemcpyDeviceToHost, stream), "output copy from the GPU");
        Cuda.check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
        return output.slice(0, batchSize * info.outputSize());
    }

    /** The engine alone on whatever is in device memory: no copies. For benchmarks. */
    @Override
    public void runComputeOnly(InputBatch input, int batchSize) {
        setBatch(batchSize);
        enqueue(batchSize);
        Cuda.check(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
    }

    private void setBatch(int batchSize) {
        if (batchSize < 1 || batchSize > info.maxBatch()) {
            throw new IllegalArgumentException("batch size " + batchSize + " outside the engine's profile 1.." + info.maxBatch());
        }
        if (!context.setInputShape(info.inputName(), PlanBuilder.dims(batchSize, info.inputHeight(), info.inputWidth()))) {
            throw new EngineException("TensorRT refused input shape batch " + batchSize + ": " + TensorRtLogger.INSTANCE.takeLastError());
        }
    }

    private void enqueue(int batchSize) {
        if (!context.enqueueV3(stream)) {
            throw new EngineException("TensorRT enqueueV3 failed at batch " + batchSize + ": " + TensorRtLogger.INSTANCE.takeLastError());
        }
    }

    @Override
    public void close() {
        Cuda.free(deviceInput);
        Cuda.free(deviceOutput);
        Cuda.freeHost(hostOutput);
        if (!stream.isNull()) {
            cudaStreamDestroy(stream);
            stream.setNull();
        }
        releaseContext.accept(context);
    }
}
