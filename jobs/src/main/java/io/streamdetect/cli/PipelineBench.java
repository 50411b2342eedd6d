package io.streamdetect.cli;

import io.streamdetect.batching.BatchListener;
import io.streamdetect.batching.BatchWait;
import io.streamdetect.batching.BatchingConfig;
import io.streamdetect.batching.MicroBatcher;
import io.streamdetect.engine.EngineSession;
import io.streamdetect.engine.InferenceEngine;
import io.streamdetect.engine.InputBatch;
import io.streamdetect.predict.Prediction;
import io.streamdetect.predict.Predictor;
import io.streamdetect.predict.PredictorConfig;
import io.streamdetect.predict.PreparedImage;
import io.streamdetect.preprocess.Preprocessing;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * End-to-end throughput of one engine, side by side: the engine's compute alone, and encoded images in →
 * detections out with pre-processing on the CPU or the GPU. Each of {@code streams} streams holds its own
 * session (as each Flink task slot does); end to end, a stream is the operator's {@link MicroBatcher}, so
 * decoding and inference overlap as they do in a job. The compute-only baseline runs the same number of streams.
 */
public final class PipelineBench {
    /** Batches a benchmark stream keeps submitted: enough for one running, one ready and one being prepared. */
    static final int IN_FLIGHT_BATCHES = 4;
    /** An image whose outcome takes longer than this means the pipeline stalled: fail, do not hang. */
    private static final long OUTCOME_TIMEOUT_SECONDS = 120;

    private final InferenceEngine engine;
    private final List<byte[]> images;
    private final int streams;
    private final double seconds;

    public PipelineBench(InferenceEngine engine, List<byte[]> images, int streams, double seconds) {
        this.engine = engine;
        this.images = images;
        this.streams = streams;
        this.seconds = seconds;
    }

    /** Images/s of {@code runComputeOnly} at {@code batch}, summed over the streams. */
    public double computeOnly(int batch) throws Exception {
        return measure(stream -> {
            EngineSession session = engine.openSession();
            InputBatch input = session.newInputBatch();
            return new ParallelStreams.Loop() {
                @Override
                public int runOnce() {
                    session.runComputeOnly(input, batch);
                    return batch;
                }

                @Override
                public void close() {
                    input.close();
                    session.close();
                }
            };
        });
    }

    /**
     * Images/s of GPU pre-processing alone (header checks, nvJPEG, letterbox into the engine's input), no
     * inference: tells whether the decoder or the engine bounds the end-to-end figure.
     */
    double gpuPreprocessingOnly(int batch, PredictorConfig config) throws Exception {
        return measure(stream -> {
            Predictor predictor = new Predictor(engine, config.withPreprocessing(Preprocessing.GPU));
            InputBatch input = predictor.newInputBatch();
            List<PreparedImage> prepared = new ArrayList<>(batch);
            int[] next = {stream * 7};
            return new ParallelStreams.Loop() {
                @Override
                public int runOnce() {
                    prepared.clear();
                    for (int slot = 0; slot < batch; slot++) {
                        prepared.add(predictor.prepare(images.get(next[0]++ % images.size()), input, slot));
                    }
                    predictor.uploadToGpu(input, prepared, batch); // returns when the batch is on the GPU
                    return batch;
                }

                @Override
                public void close() {
                    input.close();
                    predictor.close();
                }
            };
        });
    }

    /**
     * What an end-to-end run measured: images/s summed over the streams, and where the slots' time went in the
     * measured window (warm-up left out), summed over the streams.
     */
    record EndToEnd(double imagesPerSecond, SlotCosts window) {}

    /**
     * Images/s from encoded bytes to detections, with pre-processing {@code where}, summed over the streams. Each
     * stream is what a task slot runs: a {@link MicroBatcher} (prepare and inference threads) over its own
     * predictor, fed as fast as it takes images, with at most {@value #IN_FLIGHT_BATCHES} batches in flight.
     *
     * @param decodeThreads the batchers' decode pool ({@link BatchingConfig#decodeThreads}; 0: automatic)
     * @param gpuDecodeHold the batchers' {@link BatchingConfig#gpuDecodeHold}
     */
    EndToEnd endToEnd(int batch, PredictorConfig config, Preprocessing where, int decodeThreads, Duration gpuDecodeHold)
            throws Exception {
        SlotCosts[] costs = {SlotCosts.ZERO};
        double imagesPerSecond = measure(stream -> {
            Predictor predictor = new Predictor(engine, config.withPreprocessing(where));
            Semaphore inFlight = new Semaphore(IN_FLIGHT_BATCHES * batch);
            AtomicLong done = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            BatchListener<Integer> listener = new BatchListener<>() {
                @Override
                public void completed(Integer item, Prediction prediction, long queueWaitNanos) {
                    done.incrementAndGet();
                    inFlight.release();
                }

                @Override
                public void failed(Integer item, Throwable error) {
                    failure.compareAndSet(null, error);
                    inFlight.release();
                }
            };
            // a full batch closes it; the delay only matters for the last, partial one
            MicroBatcher<Integer> batcher = new MicroBatcher<>(predictor,
                    new BatchingConfig(batch, Duration.ofMillis(20), decodeThreads, BatchWait.ADAPTIVE,
                            gpuDecodeHold), listener, "bench-" + stream);
            int[] next = {stream * 7}; // streams start at different images
            long[] reported = {0};
            SlotCosts[] windowStart = {SlotCosts.ZERO};
            return new ParallelStreams.Loop() {
                @Override
                public void windowStarts() {
                    windowStart[0] = SlotCosts.of(batcher, predictor);
                }

                @Override
                public void windowEnded() {
                    SlotCosts window = SlotCosts.of(batcher, predictor).minus(windowStart[0]);
                    synchronized (costs) {
                        costs[0] = costs[0].plus(window);
                    }
                }

                @Override
                public int runOnce() {
                    if (failure.get() != null) {
                        throw new IllegalStateException("a benchmark batch failed: " + failure.get().getMessage(), failure.get());
                    }
                    for (int i = 0; i < batch; i++) {
                        awaitRoom(inFlight);
                        batcher.submit(images.get(next[0] % images.size()), next[0]++);
                    }
                    long now = done.get();
                    int completed = (int) (now - reported[0]);
                    reported[0] = now;
                    return completed;
                }

                @Override
                public void close() {
                    batcher.close(predictor::close); // the predictor's session outlives any batch still running
                }
            };
        });
        synchronized (costs) {
            return new EndToEnd(imagesPerSecond, costs[0]);
        }
    }

    /** Waits for one image's room in flight; an image with no outcome for minutes is a stalled pipeline. */
    private static void awaitRoom(Semaphore inFlight) {
        try {
            if (!inFlight.tryAcquire(OUTCOME_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no image completed within " + OUTCOME_TIMEOUT_SECONDS
                        + " s: the micro-batcher stalled");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for room in flight", e);
        }
    }

    private double measure(ParallelStreams.LoopFactory factory) throws InterruptedException {
        return ParallelStreams.imagesPerSecond(streams, seconds, factory);
    }
}
