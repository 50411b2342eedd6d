package io.streamdetect.engine.onnxruntime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.streamdetect.engine.Backend;
import io.streamdetect.engine.BatchLimit;
import io.streamdetect.engine.EngineInfo;
import io.streamdetect.engine.EngineSession;
import io.streamdetect.engine.EngineSpec;
import io.streamdetect.engine.InferenceEngine;
import io.streamdetect.engine.Precision;
import io.streamdetect.model.DetectionHead;
import io.streamdetect.model.ModelException;
import io.streamdetect.model.OnnxModelFile;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * ONNX Runtime (CPU) engine. One {@link OrtSession} per model; ONNX Runtime sessions are thread-safe, so all
 * task slots share it and only buffers are per {@link EngineSession}.
 */
public final class OnnxRuntimeEngine implements InferenceEngine {
    private final OnnxModelFile model;
    private final OrtSession session;
    private final EngineInfo info;
    private final ShutdownGuard guard;
    private final AtomicBoolean closed = new AtomicBoolean();

    private OnnxRuntimeEngine(OnnxModelFile model, OrtSession session, EngineInfo info, ShutdownGuard guard) {
        this.model = model;
        this.session = session;
        this.info = info;
        this.guard = guard;
    }

    public static OnnxRuntimeEngine open(OnnxModelFile model, EngineSpec spec) {
        return open(model, spec, ShutdownGuard.instance());
    }

    /** With the guard that keeps its native calls out of the JVM's exit: its own in tests. */
    static OnnxRuntimeEngine open(OnnxModelFile model, EngineSpec spec, ShutdownGuard guard) {
        Object opening = guard.beginOpen();
        OnnxRuntimeEngine engine = null;
        try {
            engine = create(model, spec, guard);
            return engine;
        } finally {
            guard.endOpen(opening, engine != null);
        }
    }

    private static OnnxRuntimeEngine create(OnnxModelFile model, EngineSpec spec, ShutdownGuard guard) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        OrtSession session;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            if (spec.intraOpThreads() > 0) {
                options.setIntraOpNumThreads(spec.intraOpThreads());
            }
            session = env.createSession(model.path().toString(), options);
        } catch (OrtException e) {
            throw new ModelException("ONNX Runtime cannot load " + model.path() + ": " + e.getMessage(), e);
        }
        try {
            return new OnnxRuntimeEngine(model, session, describe(model, session, spec.maxBatch()), guard);
        } catch (RuntimeException e) {
            closeQuietly(session);
            throw e;
        }
    }

    /**
     * Reads and checks the tensor layout: one NCHW image input, one output that is a classic YOLO head
     * {@code [batch, 4 + classes, anchors]} or an end-to-end one {@code [batch, detections, 6]}. A fixed batch
     * dimension caps the batch (see {@link BatchLimit}).
     */
    static EngineInfo describe(OnnxModelFile model, OrtSession session, int maxBatch) {
        String file = model.path().getFileName().toString();
        try {
            Map<String, NodeInfo> inputs = session.getInputInfo();
            Map<String, NodeInfo> outputs = session.getOutputInfo();
            if (inputs.size() != 1 || outputs.size() != 1) {
                throw new ModelException(file + " has " + inputs.size() + " inputs and " + outputs.size()
                        + " outputs; a YOLO detection model has one image input and one output");
            }
            var in = inputs.entrySet().iterator().next();
            var out = outputs.entrySet().iterator().next();
            long[] inShape = ((TensorInfo) in.getValue().getInfo()).getShape();
            long[] outShape = ((TensorInfo) out.getValue().getInfo()).getShape();
            if (inShape.length != 4 || inShape[1] != EngineInfo.CHANNELS) {
                throw new ModelException(file + ": input '" + in.getKey() + "' has shape " + Arrays.toString(inShape)
                        + ", expected [batch, 3, height, width]");
            }
            int height = inShape[2] > 0 ? (int) inShape[2] : model.metadata().inputHeight();
            int width = inShape[3] > 0 ? (int) inShape[3] : model.metadata().inputWidth();
            DetectionHead head = DetectionHead.of(outShape, model.metadata(), file);
            if (!"detect".equals(model.metadata().task())) {
                throw new ModelException(file + " is a '" + model.metadata().task()
                        + "' model; only detection models (task=detect) are supported");
            }
            int rows = (int) outShape[1];
            int columns = head == DetectionHead.END_TO_END ? EngineInfo.DETECTION_FIELDS
                    : outShape[2] > 0 ? (int) outShape[2] : yoloAnchors(width, height);
            int fixedBatch = inShape[0] > 0 ? (int) inShape[0] : 0;
            return new EngineInfo(Backend.ONNXRUNTIME, Precision.FP32, BatchLimit.of(file, fixedBatch, maxBatch),
                    fixedBatch > 0, in.getKey(), height, width, out.getKey(), head, rows, columns, 0);
        } catch (OrtException e) {
            throw new ModelException("ONNX Runtime cannot describe " + file + ": " + e.getMessage(), e);
        }
    }

    /** Anchor points of YOLO's three heads (strides 8, 16, 32), for outputs whose anchor axis is dynamic. */
    static int yoloAnchors(int width, int height) {
        int total = 0;
        for (int stride : new int[] {8, 16, 32}) {
            total += (width / stride) * (height / stride);
        }
        return total;
    }

    OrtSession session() {
        return session;
    }

    @Override
    public EngineInfo info() {
        return info;
    }

    @Override
    public OnnxModelFile model() {
        return model;
    }

    @Override
    public EngineSession openSession() {
        return new OnnxRuntimeSession(this);
    }

    ShutdownGuard guard() {
        return guard;
    }

    /**
     * Once only: its slots' sessions have all closed, so no run is in flight (see {@link
     * io.streamdetect.engine.SharedEngines}). While the JVM exits the native session is left to the process's end.
     */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            guard.unlessExiting(() -> closeQuietly(session));
            guard.engineClosed();
        }
    }

    private static void closeQuietly(OrtSession session) {
        try {
            session.close();
        } catch (OrtException ignored) {
            // closing a session only fails if it was already closed
        }
    }
}
