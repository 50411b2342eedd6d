package io.streamdetect.batching;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.engine.EngineSpec;
import io.streamdetect.engine.Engines;
import io.streamdetect.engine.InferenceEngine;
import io.streamdetect.predict.Prediction;
import io.streamdetect.predict.Predictor;
import io.streamdetect.predict.PredictorConfig;
import io.streamdetect.testing.SharedFiles;
import io.streamdetect.testing.TestImages;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Review repro: postprocessAll waits for every helper task it submitted, also for helpers that have not started
 * because the shared DecodePool is busy with other slots' decodes, although the inference thread already did all
 * the work. The next batch, prepared and ready, then waits for the pool's backlog: here 3 s of another slot's work.
 */
class PostprocessHelpersTest {
    @Test
    void theNextBatchDoesNotWaitForHelpersThatFoundNothingToDo() throws Exception {
        List<Long> batchStarts = new CopyOnWriteArrayList<>();
        CountDownLatch outcomes = new CountDownLatch(4);
        DecodePool other = DecodePool.acquire(2); // another slot of this TaskManager
        long[] firstBatchDone = new long[1];
        BatchListener<String> listener = new BatchListener<>() {
            @Override
            public void completed(String item, Prediction p, long queueWaitNanos) {
                if (item.equals("1")) {
                    firstBatchDone[0] = System.nanoTime();
                }
                outcomes.countDown();
            }

            @Override
            public void failed(String item, Throwable error) {
                outcomes.countDown();
            }

            @Override
            public void batchRan(int size, long inferenceNanos) {
                batchStarts.add(System.nanoTime());
                if (batchStarts.size() == 1) {
                    try {
                        Thread.sleep(300); // the second batch is decoded and ready meanwhile
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    for (int i = 0; i < 2; i++) { // the other slot's decodes occupy the pool for 3 s
                        other.executor().submit(() -> {
                            try {
                                Thread.sleep(3000);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        });
                    }
                }
            }
        };
        try (InferenceEngine engine = Engines.open(EngineSpec.onnxRuntime(SharedFiles.model(), 2));
             Predictor predictor = new Predictor(engine, PredictorConfig.DEFAULT);
             MicroBatcher<String> batcher = new MicroBatcher<>(predictor,
                     new BatchingConfig(2, Duration.ofMillis(50), 2, BatchWait.FIXED), listener, "review")) {
            for (int i = 0; i < 4; i++) {
                batcher.submit(TestImages.bus(), String.valueOf(i));
            }
            assertThat(outcomes.await(60, TimeUnit.SECONDS)).isTrue();
            assertThat(batchStarts).hasSize(2);
            long idleMillis = TimeUnit.NANOSECONDS.toMillis(batchStarts.get(1) - firstBatchDone[0]);
            assertThat(idleMillis).as("ms between the first batch's outcomes and the next batch's run (it was ready)")
                    .isLessThan(1500);
        } finally {
            DecodePool.release(other);
        }
    }
}
