package io.streamdetect.engine.tensorrt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamdetect.engine.Backend;
import io.streamdetect.engine.EngineSpec;
import io.streamdetect.engine.Engines;
import io.streamdetect.engine.InferenceEngine;
import io.streamdetect.engine.Precision;
import io.streamdetect.predict.Prediction;
import io.streamdetect.predict.Predictor;
import io.streamdetect.predict.PredictorConfig;
import io.streamdetect.testing.ReferenceDetections;
import io.streamdetect.testing.SharedFiles;
import io.streamdetect.testing.TestImages;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 18 on a real GPU: a plan with several optimisation profiles (auto: 1..max, 1..1, 1..8) and sessions
 * replaying CUDA graphs give the same detections as launching kernels one by one, at batch sizes that land on
 * each profile, on the first run of a size (direct launch, then capture) and on later ones (replays). Tagged
 * {@code gpu}; the plan comes from the cache ($STREAMDETECT_ENGINE_CACHE), built on first use (minutes).
 */
@Tag("gpu")
class GraphsAndProfilesGpuTest {
    private static final int MAX_BATCH = Integer.getInteger("streamdetect.test.maxBatch", 64);
    private static final Precision PRECISION = Precision.parse(System.getProperty("streamdetect.test.precision", "fp16"));
    /** Batch sizes on profile 1 (1..1), profile 2 (1..8) where the max batch is above 8, and profile 0 (1..max). */
    private static final int[] BATCHES = java.util.stream.IntStream.of(1, 3, 8, 20).filter(b -> b <= MAX_BATCH).toArray();

    @BeforeAll
    static void needsAGpu() {
        assumeTrue(TensorRt.available(), "no CUDA GPU with TensorRT natives here: TensorRT tests skipped");
    }

    private static EngineSpec spec(boolean graphs) {
        return new EngineSpec(SharedFiles.model().toString(), Backend.TENSORRT, PRECISION, MAX_BATCH, 0)
                .withCudaGraphs(graphs);
    }

    @Test
    void graphReplaysOnEveryProfileGiveTheDetectionsOfDirectLaunches() {
        List<List<Prediction>> direct = runAll(spec(false), 1);
        List<List<Prediction>> graphed = runAll(spec(true), 3); // round 1 captures, rounds 2 and 3 replay
        assertThat(graphed).hasSize(3 * direct.size());
        for (int i = 0; i < graphed.size(); i++) {
            List<Prediction> expected = direct.get(i % direct.size());
            assertThat(graphed.get(i)).hasSameSizeAs(expected);
            for (int img = 0; img < expected.size(); img++) {
                assertThat(graphed.get(i).get(img).objects()).as("run %d image %d", i, img)
                        .isEqualTo(expected.get(img).objects());
            }
        }
        for (List<Prediction> run : direct) {
            for (Prediction p : run) {
                ReferenceDetections.assertMatches(p.objects(), ReferenceDetections.BUS);
            }
        }
    }

    @Test
    void thePlanHasTheAutoProfilesReadBackFromThePlanItself() {
        try (InferenceEngine engine = Engines.open(spec(true))) {
            OptimizationProfiles profiles = ((TensorRtEngine) engine).profiles();
            // what the plan holds (read from the ICudaEngine), as the setting asked for at this max batch
            assertThat(profiles).isEqualTo(OptimizationProfiles.of("auto", MAX_BATCH));
            assertThat(profiles.indexFor(1)).isEqualTo(1);
            assertThat(profiles.indexFor(MAX_BATCH)).isZero();
        }
    }

    @Test
    void aSessionCapturesOneGraphPerBatchSizeAndHoldsLessThanFourGigabytes() {
        try (InferenceEngine engine = Engines.open(spec(true)); Predictor predictor = new Predictor(engine, PredictorConfig.DEFAULT)) {
            for (int batch : BATCHES) {
                predictor.predict(Collections.nCopies(batch, TestImages.bus()));
                predictor.predict(Collections.nCopies(batch, TestImages.bus()));
            }
            TensorRtSession session = (TensorRtSession) predictor.session();
            assertThat(session.graphsCaptured()).as("graphs (off because: %s)", session.graphsOffBecause())
                    .isEqualTo(BATCHES.length);
            assertThat(predictor.deviceMemoryBytes()).isPositive().isLessThan(4L << 30);
        }
    }

    /** {@code rounds} times every batch size, on one predictor: each batch's predictions, in order. */
    private static List<List<Prediction>> runAll(EngineSpec spec, int rounds) {
        List<List<Prediction>> runs = new ArrayList<>();
        try (InferenceEngine engine = Engines.open(spec); Predictor predictor = new Predictor(engine, PredictorConfig.DEFAULT)) {
            for (int r = 0; r < rounds; r++) {
                for (int batch : BATCHES) {
                    runs.add(predictor.predict(Collections.nCopies(batch, TestImages.bus())));
                }
            }
        }
        return runs;
    }
}
