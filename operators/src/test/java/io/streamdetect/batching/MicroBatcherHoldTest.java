package io.streamdetect.batching;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.predict.Predictor;
import io.streamdetect.predict.PredictorConfig;
import io.streamdetect.testing.OnnxRuntimeEngineExtension;
import io.streamdetect.testing.ReferenceDetections;
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
    void aStoppedPrepareThreadLeavesNothingToHoldFor() throws Exception {
        DecodeFirst order = new DecodeFirst(HOLD_NANOS, System::nanoTime);
        MicroBatcherTest.Recorder recorder = new MicroBatcherTest.Recorder(1);
        try (Predictor predictor = new Predictor(ORT.engine(), PredictorConfig.DEFAULT)) {
            // a batch of 4 that waits far longer than the test for its company: the prepare thread is gathering
            MicroBatcher<String> batcher = new MicroBatcher<>(predictor,
                    new BatchingConfig(4, Duration.ofMinutes(10), 1, BatchWait.FIXED), recorder, "held", order);
            batcher.submit(TestImages.bus(), "lone");
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!order.preparing() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(order.preparing()).as("gathering the lone image's batch").isTrue();
            batcher.close();
        }
        assertThat(order.preparing()).as("after close: no decode is coming").isFalse();
    }
}
