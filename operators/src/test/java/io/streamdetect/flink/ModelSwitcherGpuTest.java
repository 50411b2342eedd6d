package io.streamdetect.flink;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamdetect.engine.Backend;
import io.streamdetect.engine.Precision;
import io.streamdetect.engine.tensorrt.TensorRt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/**
 * {@link ModelSwitcherTest} on TensorRT FP16: the candidate's plan is built (or taken from the plan cache) on the
 * watcher thread while the running model keeps detecting, then the slot switches yolo11n -> yolo26n. Tagged
 * {@code gpu}, skipped without a GPU. Cold plans take minutes each: run it with {@code STREAMDETECT_ENGINE_CACHE}
 * holding them, or raise {@code -Dstreamdetect.test.swap-wait-minutes} (scripts/gpu/model-swap.sh does both).
 */
@Tag("gpu")
class ModelSwitcherGpuTest extends ModelSwitcherTest {

    @BeforeAll
    static void needsAGpu() {
        assumeTrue(TensorRt.available(), "no CUDA GPU with TensorRT natives here: TensorRT tests skipped");
    }

    @Override
    DetectionOperator.Builder engine(DetectionOperator.Builder builder) {
        return builder.setBackend(Backend.TENSORRT).setPrecision(Precision.FP16);
    }
}
