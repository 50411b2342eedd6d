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
import io.streamdetect.engine.SharedEngines;
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

    /**
     * Regression (issue 13.6): every failover built a new TensorRtEngine on the cached ICudaEngine with an empty
     * context pool, so each task restart created (and, without destructors, leaked) one more execution context.
     * Here 20 "failovers" (lease, session, close, release, as DetectionFunction does) must leave GPU memory where
     * the first left it.
     */
    @ParameterizedTest
    @EnumSource(value = Precision.class, names = {"FP32"})
    void failoversReuseTheExecutionContextsOfTheCachedEngine(Precision precision) {
        EngineSpec spec = new EngineSpec(SharedFiles.model().toString(), Backend.TENSORRT, precision, MAX_BATCH, 0);
        long afterFirst = 0;
        for (int restart = 0; restart < 20; restart++) {
            try (SharedEngines.Lease lease = SharedEngines.instance().acquire(spec);
                 Predictor predictor = new Predictor(lease.engine(), PredictorConfig.DEFAULT)) {
                ReferenceDetections.assertMatches(predictor.predict(List.of(TestImages.bus())).get(0).objects(),
                        ReferenceDetections.BUS);
            }
            if (restart == 0) {
                afterFirst = freeMemory();
            }
        }
        assertThat(afterFirst - freeMemory()).as("GPU memory lost over 19 more failovers").isLessThan(32L << 20);
        try (SharedEngines.Lease lease = SharedEngines.instance().acquire(spec)) {
            assertThat(((TensorRtEngine) lease.engine()).idleContexts()).as("execution contexts of the plan").isOne();
        }
    }

    /**
     * Regression (issue 13.5): runs came from threads that never set the session's device, so on any thread whose
     * current CUDA context was not the one the session was made in (another GPU's slot, another library's
     * context) TensorRT ran with the wrong context. Here the running thread has a context of its own current.
     */
    @ParameterizedTest
    @EnumSource(value = Precision.class, names = {"FP32"})
    void aRunFromAThreadWithAnotherCurrentContextUsesTheSessionsDevice(Precision precision) throws Exception {
        EngineSpec spec = new EngineSpec(SharedFiles.model().toString(), Backend.TENSORRT, precision, MAX_BATCH, 0);
        try (InferenceEngine engine = Engines.open(spec); Predictor predictor = new Predictor(engine, PredictorConfig.DEFAULT)) {
            List<Prediction> results = new java.util.ArrayList<>();
            Throwable[] error = {null};
            Thread other = new Thread(() -> {
                org.bytedeco.cuda.cudart.CUctx_st foreign = new org.bytedeco.cuda.cudart.CUctx_st();
                Cuda.checkDriver(org.bytedeco.cuda.global.cudart.cuInit(0), "cuInit");
                Cuda.checkDriver(org.bytedeco.cuda.global.cudart.cuCtxCreate(foreign, 0, 0), "cuCtxCreate");
                try {
                    results.addAll(predictor.predict(List.of(TestImages.bus())));
                } catch (Throwable t) {
                    error[0] = t;
                } finally {
                    org.bytedeco.cuda.global.cudart.cuCtxDestroy(foreign);
                }
            });
            other.start();
            other.join();
            assertThat(error[0]).as("a run on a thread with a foreign current context").isNull();
            ReferenceDetections.assertMatches(results.get(0).objects(), ReferenceDetections.BUS);
        }
    }

    /** A device index this machine does not have fails at open, saying which exist and where the index came from. */
    @org.junit.jupiter.api.Test
    void aMissingDeviceFailsWithAClearMessage() {
        int missing = Cuda.deviceCount();
        EngineSpec spec = new EngineSpec(SharedFiles.model().toString(), Backend.TENSORRT, Precision.FP32, MAX_BATCH, 0)
                .withCudaDevice(missing);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Engines.open(spec))
                .hasMessageContaining("CUDA device " + missing + " does not exist")
                .hasMessageContaining("STREAMDETECT_CUDA_DEVICE");
    }

    private static long freeMemory() {
        try (org.bytedeco.javacpp.SizeTPointer free = new org.bytedeco.javacpp.SizeTPointer(1);
             org.bytedeco.javacpp.SizeTPointer total = new org.bytedeco.javacpp.SizeTPointer(1)) {
            Cuda.check(org.bytedeco.cuda.global.cudart.cudaMemGetInfo(free, total), "cudaMemGetInfo");
            return free.get();
        }
    }
}
