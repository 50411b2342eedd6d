package io.streamdetect.testing;

import io.streamdetect.engine.EngineSpec;
import io.streamdetect.engine.Engines;
import io.streamdetect.engine.InferenceEngine;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The real YOLO11n model on ONNX Runtime, opened once per test class: {@code @RegisterExtension static final}. */
public final class OnnxRuntimeEngineExtension implements BeforeAllCallback, AfterAllCallback {
    private final int maxBatch;
    private InferenceEngine engine;

    public OnnxRuntimeEngineExtension(int maxBatch) {
        this.maxBatch = maxBatch;
    }

    public InferenceEngine engine() {
        return engine;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        engine = Engines.open(EngineSpec.onnxRuntime(SharedFiles.model(), maxBatch));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        engine.close();
    }
}
