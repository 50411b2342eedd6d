package io.streamdetect.engine.onnxruntime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.streamdetect.engine.EngineException;
import io.streamdetect.engine.EngineInfo;
import io.streamdetect.engine.EngineSession;
import io.streamdetect.engine.InputBatch;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Set;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Runs the shared ONNX Runtime session on caller-owned input memory, writing into this session's own output
 * memory (ONNX Runtime's pinned outputs), so no tensor is allocated per call beyond two small wrappers.
 */
final class OnnxRuntimeSession implements EngineSession {
    private final OnnxRuntimeEngine engine;
    private final EngineInfo info;
    private final FloatPointer outputMemory;
    private final FloatBuffer output;
    /** This session's runs' options: the JVM's shutdown stops a run through them ({@link ShutdownGuard}). */
    private final OrtSession.RunOptions runOptions;
    private boolean closed;

    OnnxRuntimeSession(OnnxRuntimeEngine engine) {
        this.engine = engine;
        this.info = engine.info();
        try {
            this.runOptions = new OrtSession.RunOptions();
        } catch (OrtException e) {
            throw new EngineException("ONNX Runtime cannot create run options: " + e.getMessage(), e);
        }
        try {
            this.outputMemory = new FloatPointer((long) info.maxBatch() * info.outputSize());
        } catch (RuntimeException | Error e) { // JavaCPP's OutOfMemoryError: the run options are native too
            runOptions.close();
            throw e;
        }
        this.output = outputMemory.asBuffer();
    }

    @Override
    public EngineInfo info() {
        return info;
    }

    @Override
    public InputBatch newInputBatch() {
        return InputBatch.allocate(info.maxBatch(), info.inputSize());
    }

    @Override
    public FloatBuffer run(InputBatch input, int batchSize) {
        if (batchSize < 1 || batchSize > Math.min(info.maxBatch(), input.maxImages())) {
            throw new IllegalArgumentException("batch size " + batchSize + " outside 1.." + info.maxBatch());
        }
        // a model with a fixed batch takes exactly that many images: the slots after the real ones are padding
        int runSize = info.staticBatch() ? info.maxBatch() : batchSize;
        if (runSize > batchSize) {
            clearPadding(input, batchSize, runSize);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        FloatBuffer in = input.floats().slice(0, runSize * info.inputSize());
        FloatBuffer out = output.slice(0, runSize * info.outputSize());
        long[] inShape = {runSize, EngineInfo.CHANNELS, info.inputHeight(), info.inputWidth()};
        long[] outShape = {runSize, info.outputRows(), info.outputAnchors()};
        ShutdownGuard guard = engine.guard();
        if (!guard.tryEnter(runOptions, runOptions)) {
            throw ShutdownGuard.shuttingDown("run refused");
        }
        try (OnnxTensor inTensor = OnnxTensor.createTensor(env, in, inShape);
             OnnxTensor outTensor = OnnxTensor.createTensor(env, out, outShape);
             OrtSession.Result ignored = engine.session().run(Map.of(info.inputName(), inTensor),
                     Set.of(), Map.of(info.outputName(), outTensor), runOptions)) {
            return out.slice(0, batchSize * info.outputSize());
        } catch (OrtException e) {
            if (guard.exiting()) {
                throw ShutdownGuard.shuttingDown("run stopped");
            }
            throw new EngineException("ONNX Runtime inference failed at batch " + batchSize + ": " + e.getMessage(), e);
        } finally {
            guard.exit(runOptions);
        }
    }

    /** Zeros the padding slots, so no stale or uninitialised floats (NaN, denormals) slow the run down. */
    private void clearPadding(InputBatch input, int from, int to) {
        FloatBuffer floats = input.floats();
        float[] zeros = new float[info.inputSize()];
        for (int slot = from; slot < to; slot++) {
            floats.put(slot * info.inputSize(), zeros);
        }
    }

    /** Once only; while the JVM exits the run options' native memory is left to the process's end. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        outputMemory.close();
        engine.guard().unlessExiting(runOptions::close);
    }
}
