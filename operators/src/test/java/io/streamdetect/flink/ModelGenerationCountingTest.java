package io.streamdetect.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.engine.Backend;
import io.streamdetect.engine.SharedEngines;
import io.streamdetect.predict.Prediction;
import io.streamdetect.testing.SharedFiles;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Review repro: MicroBatcher.complete() calls listener.failed when listener.completed throws (documented: "a record
 * the listener could not build"). ModelGeneration.Counting decrements `held` in a finally of completed AND again in
 * failed, so one image is counted out twice: held goes negative and drained() never becomes true (the watcher thread
 * then waits in closeWhenDrained forever: the old engine is never released and no later candidate is considered), or,
 * with another image still in flight, reaches 0 too early and the old batcher is closed under that image.
 */
class ModelGenerationCountingTest {
    @Test
    void anImageWhoseCompletedCallbackThrowsIsCountedOutOnceOnly() throws Exception {
        DetectionSettings settings = DetectionOperator.builder().setModel(SharedFiles.model().toString())
                .setBackend(Backend.ONNXRUNTIME).setIntraOpThreads(1).setMaxBatchSize(1).build().settings();
        byte[] bus = Files.readAllBytes(SharedFiles.busJpg());
        CountDownLatch outcome = new CountDownLatch(1);
        AtomicInteger failedCalls = new AtomicInteger();
        ModelGeneration.Listener<Integer> listener = new ModelGeneration.Listener<>() {
            @Override
            public void completed(ModelGeneration<Integer> g, Integer item, Prediction p, long queueWaitNanos) {
                throw new IllegalStateException("record could not be built"); // as RecordFactory.detection may
            }

            @Override
            public void failed(Integer item, Throwable error) {
                failedCalls.incrementAndGet();
                outcome.countDown();
            }

            @Override
            public void batchRan(int size, long inferenceNanos) {}
        };
        ModelGeneration<Integer> generation = new ModelGeneration<>(
                SharedEngines.instance().acquire(settings.engine()), settings, null, listener, "review-0");
        try {
            generation.submit(bus, 1);
            assertThat(outcome.await(60, TimeUnit.SECONDS)).isTrue();
            assertThat(failedCalls.get()).as("one outcome for the image").isEqualTo(1);
            generation.retire();
            Thread.sleep(100);
            assertThat(generation.drained()).as("retired, its only image has its outcome: drained").isTrue();
        } finally {
            generation.close();
        }
    }

    /**
     * The premature variant: image 1's completed throws (counted out twice), image 2 is still in the batcher (its
     * callback held on a latch). drained() must be false; with the double decrement it is true, so
     * ModelSwitcher.closeWhenDrained would close the old batcher under image 2, which then gets no outcome (Flink's
     * timeout then asks lateness of a closed batcher: "lost a thread").
     */
    @Test
    void aGenerationWithAnImageStillInItIsNotDrained() throws Exception {
        DetectionSettings settings = DetectionOperator.builder().setModel(SharedFiles.model().toString())
                .setBackend(Backend.ONNXRUNTIME).setIntraOpThreads(1).setMaxBatchSize(1).build().settings();
        byte[] bus = Files.readAllBytes(SharedFiles.busJpg());
        CountDownLatch firstOutcome = new CountDownLatch(1);
        CountDownLatch secondInCallback = new CountDownLatch(1);
        CountDownLatch releaseSecond = new CountDownLatch(1);
        ModelGeneration.Listener<Integer> listener = new ModelGeneration.Listener<>() {
            @Override
            public void completed(ModelGeneration<Integer> g, Integer item, Prediction p, long queueWaitNanos) {
                if (item == 1) {
                    throw new IllegalStateException("record could not be built");
                }
                secondInCallback.countDown();
                try {
                    releaseSecond.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void failed(Integer item, Throwable error) {
                firstOutcome.countDown();
            }

            @Override
            public void batchRan(int size, long inferenceNanos) {}
        };
        ModelGeneration<Integer> generation = new ModelGeneration<>(
                SharedEngines.instance().acquire(settings.engine()), settings, null, listener, "review-1");
        try {
            generation.submit(bus, 1);
            generation.submit(bus, 2);
            generation.retire();
            assertThat(firstOutcome.await(60, TimeUnit.SECONDS)).isTrue();
            assertThat(secondInCallback.await(60, TimeUnit.SECONDS)).isTrue();
            assertThat(generation.drained()).as("image 2 has no outcome yet").isFalse();
        } finally {
            releaseSecond.countDown();
            generation.close();
        }
    }
}
