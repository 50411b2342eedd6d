package io.streamdetect.cli;

import io.streamdetect.batching.BatchListener;
import io.streamdetect.batching.BatchingConfig;
import io.streamdetect.batching.MicroBatcher;
import io.streamdetect.engine.InferenceEngine;
import io.streamdetect.predict.Prediction;
import io.streamdetect.predict.Predictor;
import io.streamdetect.predict.PredictorConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Latency at a fixed arrival rate: images arrive one by one with exponential gaps (a Poisson process, as independent
 * cameras' frames add up to), each is submitted to the operator's {@link MicroBatcher} over a {@link Predictor} of
 * the engine (one task slot), and the time from its submission to its outcome is recorded. The arrivals are
 * open-loop: an image arrives on schedule whether or not earlier ones are done, so a batcher that falls behind shows
 * it. The same seed gives the same arrival times, so two batching rules compare on identical traffic; run in
 * alternating rounds, they also share whatever else the machine does meanwhile.
 */
final class LatencyBench {
    /** An image with no outcome this long after the last arrival means a stalled pipeline: fail, do not hang. */
    private static final long OUTCOME_TIMEOUT_SECONDS = 120;
    /** The item of the image each run starts with, before its arrivals are timed. */
    private static final int WARM_UP = -1;

    /**
     * What the runs of one batching rule measured, added up over rounds: per image, submission to outcome and
     * submission to its batch's start in the engine (decode and the wait for the batch); the batches; the arrivals.
     */
    static final class Samples {
        private final List<Long> latencyNanos = new ArrayList<>();
        private final List<Long> toBatchStartNanos = new ArrayList<>();
        private long batches;
        private long batched;
        private long arrivalNanos;

        int images() {
            return latencyNanos.size();
        }

        double latencyMillis(int percentile) {
            return BenchCommand.pct(sorted(latencyNanos), percentile);
        }

        double toBatchStartMillis(int percentile) {
            return BenchCommand.pct(sorted(toBatchStartNanos), percentile);
        }

        double arrivalsPerSecond() {
            return images() / (arrivalNanos / 1e9);
        }

        double meanBatch() {
            return (double) batched / Math.max(1, batches);
        }

        private static long[] sorted(List<Long> values) {
            return values.stream().mapToLong(Long::longValue).sorted().toArray();
        }
    }

    private final InferenceEngine engine;
    private final List<byte[]> images;

    LatencyBench(InferenceEngine engine, List<byte[]> images) {
        this.engine = engine;
        this.images = images;
    }

    /**
     * {@code count} images at {@code ratePerSecond} on average through a batcher configured by {@code batching},
     * added to {@code samples}.
     */
    void run(PredictorConfig config, BatchingConfig batching, double ratePerSecond, int count, long seed,
             Samples samples) throws InterruptedException {
        long[] submitted = new long[count];
        long[] latency = new long[count];
        long[] toBatchStart = new long[count];
        CountDownLatch outcomes = new CountDownLatch(count);
        CountDownLatch warmedUp = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        LongAdder batches = new LongAdder();
        LongAdder batched = new LongAdder();
        BatchListener<Integer> listener = new BatchListener<>() {
            @Override
            public void completed(Integer item, Prediction prediction, long queueWaitNanos) {
                if (item == WARM_UP) {
                    warmedUp.countDown();
                    return;
                }
                latency[item] = System.nanoTime() - submitted[item];
                toBatchStart[item] = queueWaitNanos;
                if (!prediction.ok()) {
                    failure.compareAndSet(null, new IllegalStateException("benchmark image " + item + " failed: "
                            + prediction.error().getMessage()));
                }
                outcomes.countDown();
            }

            @Override
            public void failed(Integer item, Throwable error) {
                failure.compareAndSet(null, error);
                (item == WARM_UP ? warmedUp : outcomes).countDown();
            }

            @Override
            public void batchRan(int size, long inferenceNanos) {
                batches.increment();
                batched.add(size);
            }
        };
        Predictor predictor = new Predictor(engine, config);
        MicroBatcher<Integer> batcher = new MicroBatcher<>(predictor, batching, listener, "latency-bench");
        try {
            // a new session's first batch sets things up (buffers, kernels): not part of any image's latency
            batcher.submit(images.get(0), WARM_UP);
            if (!warmedUp.await(OUTCOME_TIMEOUT_SECONDS, TimeUnit.SECONDS) || failure.get() != null) {
                throw new IllegalStateException("the warm-up image had no outcome: " + failure.get());
            }
            batches.reset();
            batched.reset();
            Random gaps = new Random(seed);
            long start = System.nanoTime();
            double arrival = 0; // seconds after start
            for (int i = 0; i < count; i++) {
                arrival += -Math.log(1 - gaps.nextDouble()) / ratePerSecond;
                sleepUntil(start + (long) (arrival * 1e9));
                submitted[i] = System.nanoTime();
                batcher.submit(images.get(i % images.size()), i);
            }
            long arrivalNanos = submitted[count - 1] - start;
            if (!outcomes.await(OUTCOME_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException(outcomes.getCount() + " images had no outcome " + OUTCOME_TIMEOUT_SECONDS
                        + " s after the last arrival: the micro-batcher stalled");
            }
            if (failure.get() != null) {
                throw new IllegalStateException("a benchmark image failed: " + failure.get().getMessage(), failure.get());
            }
            for (int i = 0; i < count; i++) {
                samples.latencyNanos.add(latency[i]);
                samples.toBatchStartNanos.add(toBatchStart[i]);
            }
            samples.batches += batches.sum();
            samples.batched += batched.sum();
            samples.arrivalNanos += arrivalNanos;
        } finally {
            batcher.close(predictor::close); // the predictor's session outlives any batch still running
        }
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        for (long left = nanoTime - System.nanoTime(); left > 0; left = nanoTime - System.nanoTime()) {
            LockSupport.parkNanos(left);
            if (Thread.interrupted()) {
                throw new InterruptedException("latency benchmark interrupted");
            }
        }
    }
}
