package io.streamdetect.cli;

import io.streamdetect.TimedCount;
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
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Latency at a fixed arrival rate: images arrive one by one with exponential gaps (a Poisson process, as independent
 * cameras' frames add up to), each is submitted to the operator's {@link MicroBatcher} over a {@link Predictor} of
 * the engine (a task slot), and the time from its submission to its outcome is recorded. With several slots on the
 * engine's GPU, each its own batcher and session, the images are dealt to them in turn: a best case for the tail, as
 * a job's slot takes whatever its Kafka partitions bring. The arrivals are
 * open-loop: an image arrives on schedule whether or not earlier ones are done, so a batcher that falls behind shows
 * it. The same seed gives the same arrival times, so two batching rules compare on identical traffic; run in
 * alternating rounds, they also share whatever else the machine does meanwhile.
 *
 * <p>Each run opens a new session, as a starting task slot does, and its first batches pay first-use costs: buffers
 * that grow, and on TensorRT a CUDA graph capture for each (profile, batch size, input buffer) the run meets. A
 * running slot has paid them long ago, so each run first <em>warms up</em>, unmeasured, on the same batcher at the
 * same rate (its own arrival times): one image alone, then steps of arrivals ({@value #WARM_UP_STEP_SECONDS} s, or
 * {@value #WARM_UP_STEP_IMAGES} images' worth at low rates, at most the warm-up time) until at least the warm-up
 * time has passed and a step captured no new graph, or {@value #WARM_UP_LIMIT}× the warm-up time has passed; then
 * it waits for every warm-up image's outcome. The graphs captured in the warm-up and in the measured window are
 * counted apart, with their time, and so is where the slot's time went in the measured window ({@link
 * SlotCosts}).
 */
final class LatencyBench {
    /** An image with no outcome this long after the last arrival means a stalled pipeline: fail, do not hang. */
    private static final long OUTCOME_TIMEOUT_SECONDS = 120;
    /** The item of the warm-up's images, whose outcomes are not timed. */
    private static final int WARM_UP = -1;
    static final double WARM_UP_STEP_SECONDS = 0.25;
    static final int WARM_UP_STEP_IMAGES = 16;
    static final int WARM_UP_LIMIT = 5;

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
        private long runs;
        private long warmUpNanos;
        private TimedCount warmUpCaptures = TimedCount.NONE;
        private SlotCosts measured = SlotCosts.ZERO;
        /** Images each slot ran in the measured windows, by slot; empty until a run added to it. */
        private long[] imagesPerSlot = new long[0];

        int images() {
            return latencyNanos.size();
        }

        /** The images, and with several slots how many each ran: "6 (3 + 3)". */
        String imagesCell() {
            if (imagesPerSlot.length < 2) {
                return String.valueOf(images());
            }
            return images() + " (" + java.util.Arrays.stream(imagesPerSlot).mapToObj(String::valueOf)
                    .collect(java.util.stream.Collectors.joining(" + ")) + ")";
        }

        private void addImagesPerSlot(long[] perSlot) {
            if (imagesPerSlot.length < perSlot.length) {
                imagesPerSlot = java.util.Arrays.copyOf(imagesPerSlot, perSlot.length);
            }
            for (int i = 0; i < perSlot.length; i++) {
                imagesPerSlot[i] += perSlot[i];
            }
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

        /** Mean seconds of warm-up per run. */
        double warmUpSeconds() {
            return warmUpNanos / 1e9 / Math.max(1, runs);
        }

        /** CUDA graphs the runs' sessions captured while warming up. */
        TimedCount warmUpCaptures() {
            return warmUpCaptures;
        }

        /**
         * Where the slots' time went in the measured windows, summed over the runs; its graph captures are first-use
         * costs the percentiles include.
         */
        SlotCosts measured() {
            return measured;
        }

        private static long[] sorted(List<Long> values) {
            return values.stream().mapToLong(Long::longValue).sorted().toArray();
        }
    }

    private final InferenceEngine engine;
    private final List<byte[]> images;
    private final double warmUpSeconds;
    private final int slots;

    /**
     * @param warmUpSeconds each run's warm-up, at least (see above); 0: one image alone, as before warm-ups
     * @param slots         task slots sharing the engine, each with its own batcher and session
     */
    LatencyBench(InferenceEngine engine, List<byte[]> images, double warmUpSeconds, int slots) {
        if (slots < 1) {
            throw new IllegalArgumentException("slots must be at least 1, got " + slots);
        }
        this.engine = engine;
        this.images = images;
        this.warmUpSeconds = warmUpSeconds;
        this.slots = slots;
    }

    /** One slot of a run: its predictor (session) and the batcher over it. */
    private record Slot(Predictor predictor, MicroBatcher<Integer> batcher) {
        SlotCosts costs() {
            return SlotCosts.of(batcher, predictor);
        }

        long graphCaptures() {
            return predictor.session().graphCaptures().count();
        }

        void close() {
            batcher.close(predictor::close); // the predictor's session outlives any batch still running
        }
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
        Semaphore warmUps = new Semaphore(0);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        LongAdder batches = new LongAdder();
        LongAdder batched = new LongAdder();
        BatchListener<Integer> listener = new BatchListener<>() {
            @Override
            public void completed(Integer item, Prediction prediction, long queueWaitNanos) {
                if (item == WARM_UP) {
                    warmUps.release();
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
                if (item == WARM_UP) {
                    warmUps.release();
                } else {
                    outcomes.countDown();
                }
            }

            @Override
            public void batchRan(int size, long inferenceNanos) {
                batches.increment();
                batched.add(size);
            }
        };
        List<Slot> open = new ArrayList<>(slots);
        try {
            for (int i = 0; i < slots; i++) {
                Predictor predictor = new Predictor(engine, config);
                try {
                    open.add(new Slot(predictor, new MicroBatcher<>(predictor, batching, listener, "latency-bench-" + i)));
                } catch (RuntimeException | Error e) {
                    predictor.close();
                    throw e;
                }
            }
            long warmUpStart = System.nanoTime();
            warmUp(open, ratePerSecond, seed, warmUps, failure);
            long warmUpNanos = System.nanoTime() - warmUpStart;
            List<SlotCosts> afterWarmUp = open.stream().map(Slot::costs).toList();
            batches.reset();
            batched.reset();
            Random gaps = new Random(seed);
            long start = System.nanoTime();
            double arrival = 0; // seconds after start
            for (int i = 0; i < count; i++) {
                arrival += -Math.log(1 - gaps.nextDouble()) / ratePerSecond;
                sleepUntil(start + (long) (arrival * 1e9));
                submitted[i] = System.nanoTime();
                open.get(i % slots).batcher().submit(images.get(i % images.size()), i);
            }
            long arrivalNanos = submitted[count - 1] - start;
            if (!outcomes.await(OUTCOME_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException(outcomes.getCount() + " images had no outcome " + OUTCOME_TIMEOUT_SECONDS
                        + " s after the last arrival: the micro-batcher stalled");
            }
            if (failure.get() != null) {
                throw new IllegalStateException("a benchmark image failed: " + failure.get().getMessage(), failure.get());
            }
            long[] ran = new long[slots];
            for (int i = 0; i < slots; i++) {
                SlotCosts window = open.get(i).costs().minus(afterWarmUp.get(i));
                samples.measured = samples.measured.plus(window);
                samples.warmUpCaptures = samples.warmUpCaptures.plus(afterWarmUp.get(i).graphCaptures());
                ran[i] = window.stages().images();
            }
            samples.addImagesPerSlot(ran);
            samples.warmUpNanos += warmUpNanos;
            samples.runs++;
            for (int i = 0; i < count; i++) {
                samples.latencyNanos.add(latency[i]);
                samples.toBatchStartNanos.add(toBatchStart[i]);
            }
            samples.batches += batches.sum();
            samples.batched += batched.sum();
            samples.arrivalNanos += arrivalNanos;
        } finally {
            close(open);
        }
    }

    /** Closes every slot, also after one fails to close (the others' sessions hold GPU memory); throws the first. */
    private static void close(List<Slot> open) {
        RuntimeException first = null;
        for (Slot slot : open) {
            try {
                slot.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static long graphCaptures(List<Slot> slots) {
        return slots.stream().mapToLong(Slot::graphCaptures).sum();
    }

    /**
     * The warm-up (see the class comment): returns once every warm-up image has its outcome, none failed, and the
     * batchers are idle again.
     */
    private void warmUp(List<Slot> open, double ratePerSecond, long seed, Semaphore outcomes,
                        AtomicReference<Throwable> failure) throws InterruptedException {
        // a new session's first batch sets things up (buffers, kernels): alone, slot by slot, before any arrivals
        for (Slot slot : open) {
            slot.batcher().submit(images.get(0), WARM_UP);
            awaitWarmUp(outcomes, 1, failure);
        }
        int submitted = open.size();
        if (warmUpSeconds <= 0) {
            return;
        }
        double step = Math.min(warmUpSeconds, Math.max(WARM_UP_STEP_SECONDS, WARM_UP_STEP_IMAGES / ratePerSecond));
        Random gaps = new Random(~seed); // not the measured arrivals' times
        long start = System.nanoTime();
        double elapsed = 0; // seconds after start, at the end of the steps so far
        double arrival = -Math.log(1 - gaps.nextDouble()) / ratePerSecond; // the next one
        boolean quiet = false;
        while (!(elapsed >= warmUpSeconds && quiet) && elapsed < WARM_UP_LIMIT * warmUpSeconds) {
            long capturedBefore = graphCaptures(open);
            elapsed += step;
            for (; arrival < elapsed; arrival += -Math.log(1 - gaps.nextDouble()) / ratePerSecond, submitted++) {
                sleepUntil(start + (long) (arrival * 1e9));
                open.get(submitted % open.size()).batcher().submit(images.get(submitted % images.size()), WARM_UP);
            }
            sleepUntil(start + (long) (elapsed * 1e9));
            quiet = graphCaptures(open) == capturedBefore;
        }
        awaitWarmUp(outcomes, submitted - open.size(), failure);
    }

    /** Takes {@code count} warm-up outcomes, failing when they do not come or one failed. */
    private static void awaitWarmUp(Semaphore outcomes, int count, AtomicReference<Throwable> failure)
            throws InterruptedException {
        if (!outcomes.tryAcquire(count, OUTCOME_TIMEOUT_SECONDS, TimeUnit.SECONDS) || failure.get() != null) {
            throw new IllegalStateException("warm-up images had no outcome, or failed: " + failure.get());
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
