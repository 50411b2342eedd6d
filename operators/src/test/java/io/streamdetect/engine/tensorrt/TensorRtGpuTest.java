package io.streamdetect.engine.tensorrt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamdetect.cuda.Cuda;
import io.streamdetect.engine.Backend;
import io.streamdetect.engine.EngineSession;
import io.streamdetect.engine.EngineSpec;
import io.streamdetect.engine.Engines;
import io.streamdetect.engine.InferenceEngine;
import io.streamdetect.engine.InputBatch;
import io.streamdetect.engine.Precision;
import io.streamdetect.predict.Prediction;
import io.streamdetect.predict.Predictor;
import io.streamdetect.predict.PredictorConfig;
import io.streamdetect.testing.ReferenceDetections;
import io.streamdetect.testing.SharedFiles;
import io.streamdetect.testing.TestImages;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * TensorRT on a real GPU. Tagged {@code gpu}: excluded from the default build, run with
 * {@code -Pgpu -Dgroups=gpu} on a CUDA machine; skips with a message where no GPU is visible.
 * Plans come from the plan cache ($STREAMDETECT_ENGINE_CACHE): the first run builds them (minutes).
 */
@Tag("gpu")
class TensorRtGpuTest {
    /** Profile max batch of the plans under test; set it to that of plans already in the cache to skip builds. */
    private static final int MAX_BATCH = Integer.getInteger("streamdetect.test.maxBatch", 8);

    @BeforeAll
    static void needsAGpu() {
        assumeTrue(TensorRt.available(), "no CUDA GPU with TensorRT natives here: TensorRT tests skipped");
    }

    @ParameterizedTest
    @EnumSource(value = Precision.class, names = {"FP32", "FP16"})
    void busDetectionsMatchOnnxRuntime(Precision precision) {
        EngineSpec spec = new EngineSpec(SharedFiles.model().toString(), Backend.TENSORRT, precision, MAX_BATCH, 0);
        try (InferenceEngine engine = Engines.open(spec); Predictor predictor = new Predictor(engine, PredictorConfig.DEFAULT)) {
            assertThat(engine.info().backend()).isEqualTo(Backend.TENSORRT);
            List<Prediction> results = predictor.predict(List.of(TestImages.bus(), TestImages.bus(), TestImages.bus()));
            for (Prediction p : results) {
                ReferenceDetections.assertMatches(p.objects(), ReferenceDetections.BUS);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Precision.class, names = {"FP32"})
    void openingAndClosingSessionsLeaksNoGpuMemory(Precision precision) {
        EngineSpec spec = new EngineSpec(SharedFiles.model().toString(), Backend.TENSORRT, precision, MAX_BATCH, 0);
        try (InferenceEngine engine = Engines.open(spec)) {
            long before = freeMemory();
            for (int i = 0; i < 1000; i++) {
                try (EngineSession session = engine.openSession(); InputBatch input = session.newInputBatch()) {
                    if (i % 100 == 0) {
                        session.run(input, 1);
                    }
                }
            }
            long after = freeMemory();
            assertThat(before - after).as("GPU memory lost over 1000 open/close cycles").isLessThan(64L << 20);
        }
    }

    private static long freeMemory() {
        try (org.bytedeco.javacpp.SizeTPointer free = new org.bytedeco.javacpp.SizeTPointer(1);
             org.bytedeco.javacpp.SizeTPointer total = new org.bytedeco.javacpp.SizeTPointer(1)) {
            Cuda.check(org.bytedeco.cuda.global.cudart.cudaMemGetInfo(free, total), "cudaMemGetInfo");
            return free.get();
        }
    }
}
