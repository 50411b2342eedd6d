package io.streamdetect.batching;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.engine.InferenceEngine;
import io.streamdetect.predict.Predictor;
import io.streamdetect.predict.PredictorConfig;
import io.streamdetect.testing.OnnxRuntimeEngineExtension;
import io.streamdetect.testing.ScriptedEngine;
import io.streamdetect.testing.TestImages;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The micro-batcher's bookkeeping of where its threads spend their time, on the real model through ONNX Runtime:
 * the figures must be sound (non-negative, within the wall time, the batches counted), not fast.
 */
class BatchStageTimesTest {
    @RegisterExtension
    static final OnnxRuntimeEngineExtension ORT = new OnnxRuntimeEngineExtension(4);

    /** 1: the prepare thread decodes alone; 2: a decode pool decodes and post-processes beside the batcher's threads. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void stageTimesAreNonNegativeAndEachThreadsStagesAddUpToNoMoreThanTheWallTime(int decodeThreads) throws Exception {
        byte[] bus = TestImages.bus();
        MicroBatcherTest.Recorder recorder = new MicroBatcherTest.Recorder(10);
        BatchStageTimes closed;
        BatchStageTimes window;
        try (Predictor predictor = new Predictor(ORT.engine(), PredictorConfig.DEFAULT)) {
            MicroBatcher<String> batcher = new MicroBatcher<>(predictor,
                    new BatchingConfig(4, Duration.ofMillis(20), decodeThreads), recorder, "stages");
            BatchStageTimes start = batcher.stageTimes();
            assertSound(start);
            for (int i = 0; i < 10; i++) {
                batcher.submit(bus, "img-" + i);
            }
            recorder.await();
            BatchStageTimes end = batcher.stageTimes();
            window = end.minus(start);
            batcher.close();
            closed = batcher.stageTimes();
            assertSound(end);
            assertSound(window);
            assertSound(closed);
            // stopped threads add nothing more, while the wall time goes on
            Thread.sleep(5);
            BatchStageTimes later = batcher.stageTimes();
            assertThat(later.nanos(BatchStage.Thread.PREPARE)).isEqualTo(closed.nanos(BatchStage.Thread.PREPARE));
            assertThat(later.nanos(BatchStage.Thread.INFERENCE)).isEqualTo(closed.nanos(BatchStage.Thread.INFERENCE));
            assertThat(later.wallNanos()).isGreaterThan(closed.wallNanos());
        }
        assertThat(recorder.completed).hasSize(10);
        assertThat(window.images()).isEqualTo(10);
        assertThat(window.batches()).isEqualTo(recorder.batchSizes.size()).isBetween(3L, 10L);
        assertThat(window.meanBatch()).isEqualTo(10.0 / window.batches());
        assertThat(window.summary()).startsWith(window.batches() + " batches of ")
                .contains("; prepare: wait for image ", "; inference: wait for batch ", "engine ", "post-process ");
        // the stages where the work is done hold time; nothing is uploaded to a GPU on ONNX Runtime
        assertThat(window.nanos(BatchStage.DECODE)).isPositive();
        assertThat(window.nanos(BatchStage.ENGINE)).isPositive();
        assertThat(window.nanos(BatchStage.POSTPROCESS)).isPositive();
        assertThat(window.nanos(BatchStage.GPU_UPLOAD)).isZero();
        assertThat(window.listenerNanos()).isPositive();
        if (decodeThreads == 1) { // every callback made on the inference thread, inside its post-processing
            assertThat(window.listenerNanos()).isLessThanOrEqualTo(window.nanos(BatchStage.POSTPROCESS));
        }
        assertThat(window.millisPerBatch(BatchStage.ENGINE))
                .isEqualTo(window.nanos(BatchStage.ENGINE) / 1e6 / window.batches());
        assertThat(window.share(BatchStage.ENGINE)).isBetween(0.0, 1.0);
        // two windows add up to their sum, the wall time included
        BatchStageTimes twice = window.plus(window);
        assertThat(twice.wallNanos()).isEqualTo(2 * window.wallNanos());
        assertThat(twice.nanos(BatchStage.ENGINE)).isEqualTo(2 * window.nanos(BatchStage.ENGINE));
    }

    /**
     * Every run of an engine held up for 20 ms is a stretch of the engine stage of 16 ms or more, counted under every
     * threshold up to 16 ms; stretches are counted in windows like the times.
     */
    @Test
    void eachEngineRunHeldUpFor20MsCountsAsALongEngineStretchAtEveryThreshold() throws Exception {
        byte[] bus = TestImages.bus();
        MicroBatcherTest.Recorder recorder = new MicroBatcherTest.Recorder(4);
        try (InferenceEngine slow = new ScriptedEngine(ORT.engine(), (real, input, n) -> {
                 sleep(20);
                 return real.run(input, n);
             });
             Predictor predictor = new Predictor(slow, PredictorConfig.DEFAULT);
             MicroBatcher<String> batcher = new MicroBatcher<>(predictor,
                     new BatchingConfig(2, Duration.ofMillis(20), 1), recorder, "stages")) {
            BatchStageTimes start = batcher.stageTimes();
            for (int i = 0; i < 4; i++) {
                batcher.submit(bus, "img-" + i);
            }
            recorder.await();
            BatchStageTimes window = batcher.stageTimes().minus(start);
            assertSound(window);
            assertThat(BatchStageTimes.longSegmentMillis()).containsExactly(1, 2, 4, 8, 16);
            long[] engine = window.longSegments(BatchStage.ENGINE);
            assertThat(engine).as("%s", window).containsOnly(window.batches());
            assertThat(window.nanos(BatchStage.ENGINE)).isGreaterThanOrEqualTo(window.batches() * 20_000_000L);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Non-negative stages and counters; per thread, the stages add up to no more than the wall time; a stage's long
     * stretches counted at each threshold are no more than at the one below.
     */
    private static void assertSound(BatchStageTimes t) {
        assertThat(t.wallNanos()).isNotNegative();
        assertThat(t.batches()).isNotNegative();
        assertThat(t.images()).isNotNegative();
        assertThat(t.listenerNanos()).isNotNegative();
        for (BatchStage stage : BatchStage.values()) {
            assertThat(t.nanos(stage)).as("%s in %s", stage, t).isNotNegative();
        }
        for (BatchStage stage : BatchStage.values()) {
            long[] counts = t.longSegments(stage);
            assertThat(counts).hasSize(BatchStageTimes.longSegmentMillis().length);
            for (int k = 0; k < counts.length; k++) {
                assertThat(counts[k]).as("%s stretches of %d ms in %s", stage, BatchStageTimes.longSegmentMillis()[k], t)
                        .isNotNegative().isLessThanOrEqualTo(k == 0 ? Long.MAX_VALUE : counts[k - 1]);
            }
        }
        for (BatchStage.Thread thread : BatchStage.Thread.values()) {
            assertThat(t.nanos(thread)).as("%s thread in %s", thread, t).isLessThanOrEqualTo(t.wallNanos());
        }
    }
}
