package io.streamdetect.engine.tensorrt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamdetect.batching.BatchListener;
import io.streamdetect.batching.BatchingConfig;
import io.streamdetect.batching.MicroBatcher;
import io.streamdetect.engine.Backend;
import io.streamdetect.engine.EngineSpec;
import io.streamdetect.engine.Engines;
import io.streamdetect.engine.InferenceEngine;
import io.streamdetect.engine.Precision;
import io.streamdetect.postprocess.NmsPlacement;
import io.streamdetect.postprocess.PostprocessConfig;
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
 * {@code gpu}; the plans come from the cache ($STREAMDETECT_ENGINE_CACHE), built on first use: the host-NMS plan the
 * graph tests use is not the one a default job uses (NMS in the plan, which runs with graphs too since session 11,
 * see aPlanWithNmsInItRunsWithGraphsAndFindsTheBusOnEveryProfile), so a lease that
 * carries only the default plan builds it first (about 15 minutes at max batch 64 on an H200).
 */
@Tag("gpu")
class GraphsAndProfilesGpuTest {
    private static final int MAX_BATCH = Integer.getInteger("streamdetect.test.maxBatch", 64);
    private static final Precision PRECISION = Precision.parse(System.getProperty("streamdetect.test.precision", "fp16"));
    /** Batch sizes on profile 1 (1..1), profile 2 (1..8) where the max batch is above 8, and profile 0 (1..max). */
    private static final int[] BATCHES = java.util.stream.IntStream.of(1, 3, 8, 20).filter(b -> b <= MAX_BATCH).toArray();
    /** The largest batch launched as a graph ({@link CudaGraphs#MAX_BATCH_PROPERTY}). */
    private static final int GRAPH_MAX_BATCH = Integer.getInteger(CudaGraphs.MAX_BATCH_PROPERTY, CudaGraphs.DEFAULT_MAX_BATCH);
    /** Of {@link #BATCHES}, the ones launched as graphs: by default 20 is above the largest and runs directly. */
    private static final long GRAPHED = java.util.Arrays.stream(BATCHES).filter(b -> b <= GRAPH_MAX_BATCH).count();

    @BeforeAll
    static void needsAGpu() {
        assumeTrue(TensorRt.available(), "no CUDA GPU with TensorRT natives here: TensorRT tests skipped");
    }

    private static EngineSpec spec(boolean graphs) {
        // NMS on the host: the graph tests compare raw outputs (aPlanWithNmsInItRunsWithGraphs... covers NMS plans)
        return new EngineSpec(SharedFiles.model().toString(), Backend.TENSORRT, PRECISION, MAX_BATCH, 0)
                .withCudaGraphs(graphs);
    }

    /** The plan a default job uses (NMS in it, auto profiles): the one GPU leases carry, so no build. */
    private static EngineSpec defaultJobSpec() {
        return spec(true).withNms(NmsPlacement.AUTO, PostprocessConfig.DEFAULT);
    }

    /**
     * On an H200 (TensorRT 10.6, 2026-12-01) a graph captured on the 1..1 profile of such a plan once made the next
     * run, on the 1..8 profile, return no detections at all (run 1 image 0: bus.jpg came back empty). Such plans ran
     * without graphs until that was never seen again (NmsGraphsDiagnosisGpuTest, sessions 5 and 11) and {@code eval}
     * on coco8 gave the same mAP with graphs (session 11): this checks that they run with graphs by default, and that
     * every profile, up and down, finds the bus on graph replays.
     */
    @Test
    void aPlanWithNmsInItRunsWithGraphsAndFindsTheBusOnEveryProfile() {
        try (InferenceEngine engine = Engines.open(defaultJobSpec());
             Predictor predictor = new Predictor(engine, PredictorConfig.DEFAULT)) {
            assertThat(engine.info().nmsInEngine()).isTrue();
            for (int batch : upAndDown()) {
                List<Prediction> run = predictor.predict(Collections.nCopies(batch, TestImages.bus()));
                for (Prediction p : run) {
                    ReferenceDetections.assertMatches(p.objects(), ReferenceDetections.BUS);
                }
            }
            TensorRtSession session = (TensorRtSession) predictor.session();
            assertThat(engine.cudaGraphs()).as("graphs asked for, on for an NMS plan").isTrue();
            assertThat(session.graphsCaptured()).as("graphs captured: batch sizes of up to 16 met").isPositive();
        }
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
        for (List<Prediction> run : direct) { // slot 0 of every batch holds bus.jpg
            ReferenceDetections.assertMatches(run.get(0).objects(), ReferenceDetections.BUS);
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
    void aSessionCapturesOneGraphPerSmallBatchSizeAndHoldsLessThanFourGigabytes() {
        try (InferenceEngine engine = Engines.open(spec(true)); Predictor predictor = new Predictor(engine, PredictorConfig.DEFAULT)) {
            for (int batch : BATCHES) {
                predictor.predict(Collections.nCopies(batch, TestImages.bus()));
                predictor.predict(Collections.nCopies(batch, TestImages.bus()));
            }
            TensorRtSession session = (TensorRtSession) predictor.session();
            assertThat(session.graphsCaptured()).as("graphs (off because: %s)", session.graphsOffBecause())
                    .isEqualTo(GRAPHED);
            // the counter benchmarks read: one capture per graphed batch size, each timed
            assertThat(session.graphCaptures().count()).isEqualTo(GRAPHED);
            assertThat(session.graphCaptures().nanos()).isPositive();
            if (predictor.preprocessing() == io.streamdetect.preprocess.Preprocessing.GPU) {
                // nvJPEG's batched decoder is set up again for each new batch size, not for a repeated one
                assertThat(predictor.nvJpegInitializations().count()).isEqualTo(BATCHES.length);
            }
            assertThat(predictor.deviceMemoryBytes()).isPositive().isLessThan(4L << 30);
        }
    }

    @Test
    void aMicroBatcherCapturesItsGraphsBeforeServingAndNoneWhileServing() throws Exception {
        try (InferenceEngine engine = Engines.open(spec(true)); Predictor predictor = new Predictor(engine, PredictorConfig.DEFAULT)) {
            int buffers = predictor.preprocessing() == io.streamdetect.preprocess.Preprocessing.GPU ? 3 : 1;
            java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(3);
            BatchListener<String> listener = new BatchListener<>() {
                @Override
                public void completed(String item, Prediction prediction, long queueWaitNanos) {
                    done.countDown();
                }

                @Override
                public void failed(String item, Throwable error) {
                    throw new AssertionError(item + " failed", error);
                }
            };
            MicroBatcher<String> batcher = new MicroBatcher<>(predictor,
                    new BatchingConfig(MAX_BATCH, java.time.Duration.ofMillis(5)), listener, "warm-up");
            try {
                // every graphed batch size (1..16) on every input buffer, before the first image
                long captured = predictor.session().graphCaptures().count();
                assertThat(captured).as("graphs (off because: %s)", ((TensorRtSession) predictor.session()).graphsOffBecause())
                        .isEqualTo((long) Math.min(MAX_BATCH, GRAPH_MAX_BATCH) * buffers);
                for (int i = 0; i < 3; i++) {
                    batcher.submit(TestImages.bus(), "img-" + i);
                }
                assertThat(done.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                assertThat(predictor.session().graphCaptures().count()).isEqualTo(captured);
            } finally {
                batcher.close();
            }
        }
    }

    /**
     * {@code rounds} times every batch size, on one predictor: each batch's predictions, in order. Each batch holds
     * other images in each slot (bus.jpg first, then coco8's), so a replay that ran another batch's shape or
     * offsets would show; the sizes go up and back down, so replays follow shape changes on the same context.
     */
    static List<List<Prediction>> runAll(EngineSpec spec, int rounds) {
        List<byte[]> images = new ArrayList<>(List.of(TestImages.bus()));
        try (var files = java.nio.file.Files.list(SharedFiles.coco8().resolve("images/train"))) {
            files.sorted().forEach(f -> images.add(TestImages.read(f)));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        List<List<Prediction>> runs = new ArrayList<>();
        try (InferenceEngine engine = Engines.open(spec); Predictor predictor = new Predictor(engine, PredictorConfig.DEFAULT)) {
            for (int r = 0; r < rounds; r++) {
                for (int batch : upAndDown()) {
                    List<byte[]> batchImages = new ArrayList<>();
                    for (int i = 0; i < batch; i++) {
                        batchImages.add(images.get(i % images.size()));
                    }
                    runs.add(predictor.predict(batchImages));
                }
            }
        }
        return runs;
    }

    /** The batch sizes ascending, then descending again: 1, 3, 8, 20, 8, 3, 1 at max batch 64. */
    static int[] upAndDown() {
        int[] sizes = new int[2 * BATCHES.length - 1];
        for (int i = 0; i < BATCHES.length; i++) {
            sizes[i] = BATCHES[i];
            sizes[sizes.length - 1 - i] = BATCHES[i];
        }
        return sizes;
    }
}
