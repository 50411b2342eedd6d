package io.streamdetect.batching;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.predict.Predictor;
import io.streamdetect.predict.PredictorConfig;
import io.streamdetect.testing.OnnxRuntimeEngineExtension;
import io.streamdetect.testing.ReferenceDetections;
import io.streamdetect.testing.ScriptedEngine;
import io.streamdetect.testing.TestImages;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link DecodeFirst} inside a {@link MicroBatcher}, without a GPU: on the CPU path the prepare thread gathers (and
 * decodes) every batch, so a hold given to the batcher holds the inference thread the way a GPU decode would.
 */
class MicroBatcherHoldTest {
    @RegisterExtension
    static final OnnxRuntimeEngineExtension ORT = new OnnxRuntimeEngineExtension(4);

    private static final long HOLD_NANOS = Duration.ofMillis(40).toNanos();

    @Test
    void heldLaunchesDeliverEveryImageAndNoHoldOutlastsTwiceItsTime() throws Exception {
        DecodeFirst order = new DecodeFirst(HOLD_NANOS, System::nanoTime);
        MicroBatcherTest.Recorder recorder = new MicroBatcherTest.Recorder(12);
        BatchStageTimes times;
        try (Predictor predictor = new Predictor(ORT.engine(), PredictorConfig.DEFAULT);
             MicroBatcher<String> batcher = new MicroBatcher<>(predictor,
                     new BatchingConfig(4, Duration.ofMillis(20)), recorder, "held", order)) {
            for (int i = 0; i < 12; i++) {
                batcher.submit(TestImages.bus(), "img-" + i);
            }
            recorder.await();
            times = batcher.stageTimes();
        }
        assertThat(recorder.completed).hasSize(12);
        assertThat(recorder.failed).isEmpty();
        recorder.completed.values().forEach(p -> ReferenceDetections.assertMatches(p.objects(), ReferenceDetections.BUS));
        // every hold ends by twice its time (a stretch can only be longer by the clock's own scheduling)
        long[] holds = times.longSegments(BatchStage.HOLD_FOR_DECODE);
        assertThat(times.nanos(BatchStage.HOLD_FOR_DECODE)).as("held at all").isPositive()
                .isLessThanOrEqualTo(times.batches() * (2 * HOLD_NANOS + Duration.ofMillis(30).toNanos()));
        assertThat(holds[0]).as("holds of 1 ms or more").isPositive();
        assertThat(times.nanos(BatchStage.Thread.INFERENCE)).isLessThanOrEqualTo(times.wallNanos());
    }

    @Test
    void loneImagesAreNeverHeldFor() throws Exception {
        DecodeFirst order = new DecodeFirst(HOLD_NANOS, System::nanoTime);
        BatchStageTimes times;
        try (Predictor predictor = new Predictor(ORT.engine(), PredictorConfig.DEFAULT)) {
            MicroBatcherTest.Recorder recorder = new MicroBatcherTest.Recorder(3);
            try (MicroBatcher<String> batcher = new MicroBatcher<>(predictor,
                    new BatchingConfig(4, Duration.ofMillis(20)), recorder, "lone", order)) {
                for (int i = 0; i < 3; i++) { // one at a time: no batch will be full
                    int done = recorder.completed.size();
                    batcher.submit(TestImages.bus(), "img-" + i);
                    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                    while (recorder.completed.size() == done && System.nanoTime() < deadline) {
                        Thread.sleep(2);
                    }
                }
                recorder.await();
                times = batcher.stageTimes();
            }
        }
        assertThat(times.batches()).isEqualTo(3);
        // a hold would last up to 2 x 40 ms; the 1 ms bucket also counts a thread descheduled between two clock
        // entries on a loaded 2-core CI box (seen once), so no stretch of 8 ms or more is what shows no hold
        assertThat(times.longSegments(BatchStage.HOLD_FOR_DECODE)[3]).as("holds of 8 ms or more").isZero();
    }

    @Test
    void aStoppedPrepareThreadLeavesNothingToHoldFor() throws Exception {
        DecodeFirst order = new DecodeFirst(HOLD_NANOS, System::nanoTime);
        MicroBatcherTest.Recorder recorder = new MicroBatcherTest.Recorder(3);
        try (ScriptedEngine slow = new ScriptedEngine(ORT.engine(), ScriptedEngine.slow(3000));
             Predictor predictor = new Predictor(slow, PredictorConfig.DEFAULT)) {
            // batches of 1, each full: the first runs (3 s), the second waits ready in the other input buffer, and
            // the third, gathered, waits for a buffer when close interrupts the prepare thread
            MicroBatcher<String> batcher = new MicroBatcher<>(predictor, new BatchingConfig(1, Duration.ofMillis(20)),
                    recorder, "held", order);
            for (int i = 0; i < 3; i++) {
                batcher.submit(TestImages.bus(), "img-" + i);
            }
            Thread.sleep(1000); // decoding three images takes a small part of that; the first run takes 3 s
            assertThat(recorder.batchSizes).as("the first batch still runs").isEmpty();
            assertThat(order.preparing()).as("gathering the third batch, waiting for a buffer").isTrue();
            batcher.close();
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (order.preparing() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        }
        assertThat(order.preparing()).as("after close: no decode is coming").isFalse();
    }
}
