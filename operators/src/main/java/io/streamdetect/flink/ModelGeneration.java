package io.streamdetect.flink;

import io.streamdetect.batching.BatchListener;
import io.streamdetect.batching.BatchStageTimes;
import io.streamdetect.batching.MicroBatcher;
import io.streamdetect.engine.SharedEngines;
import io.streamdetect.predict.Prediction;
import io.streamdetect.predict.Predictor;
import io.streamdetect.records.RecordFactory;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model in one task slot: a lease on the TaskManager's shared engine, a {@link Predictor} with its own
 * session, the {@link MicroBatcher} running it and the {@link RecordFactory} naming it in records. After a model
 * swap the old generation takes no more images, finishes those it holds, and is then closed; an image is
 * processed, and its record named, by the generation it was submitted to, and only by it.
 */
final class ModelGeneration<T> {
    private static final Logger LOG = LoggerFactory.getLogger(ModelGeneration.class);
    /** Outcomes of the images of a generation, on its batcher's threads. */
    interface Listener<T> {
        void completed(ModelGeneration<T> generation, T item, Prediction prediction, long queueWaitNanos);

        void failed(T item, Throwable error);

        void batchRan(int size, long inferenceNanos);
    }

    private final SharedEngines.Lease lease;
    private final Predictor predictor;
    private final MicroBatcher<T> batcher;
    private final RecordFactory records;
    private final String fileSha256;
    /** Images submitted here and not yet given their outcome by the batcher. */
    private final AtomicInteger held = new AtomicInteger();
    private volatile boolean retired;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final String name;

    /**
     * Takes over {@code lease}: closes it when this generation closes, or at once if opening fails.
     *
     * @param fileSha256 sha256 of the model file's bytes (null when not known: a model not found by a watch)
     */
    ModelGeneration(SharedEngines.Lease lease, DetectionSettings settings, String fileSha256, Listener<T> listener,
                    String name) {
        this.lease = lease;
        this.fileSha256 = fileSha256;
        this.name = name;
        try {
            predictor = new Predictor(lease.engine(), settings.predictor());
        } catch (RuntimeException | Error e) {
            lease.close();
            throw e;
        }
        records = new RecordFactory(lease.engine());
        try {
            batcher = new MicroBatcher<>(predictor, settings.batching(), new Counting(listener), name);
        } catch (RuntimeException | Error e) {
            releaseEngine();
            throw e;
        }
    }

    Predictor predictor() {
        return predictor;
    }

    MicroBatcher<T> batcher() {
        return batcher;
    }

    RecordFactory records() {
        return records;
    }

    String fileSha256() {
        return fileSha256;
    }

    /** sha256 of the model as records name it (for an .engine file: of the ONNX model it was built from). */
    String modelSha256() {
        return lease.engine().model().sha256();
    }

    String modelName() {
        return lease.engine().model().name();
    }

    /** Queues an image; see {@link MicroBatcher#submit}. */
    MicroBatcher.Ticket submit(byte[] image, T item) {
        held.incrementAndGet();
        try {
            return batcher.submit(image, item);
        } catch (RuntimeException e) {
            held.decrementAndGet();
            throw e;
        }
    }

    /** Takes no more images from now on (the caller stops submitting before calling this). */
    void retire() {
        retired = true;
    }

    /** Retired, and every image it took has its outcome: it can be closed without losing one. */
    boolean drained() {
        return retired && held.get() == 0;
    }

    /**
     * Stops the batcher; the session and the lease are freed once its threads have stopped, never under a batch
     * still running in native code (see {@link MicroBatcher#close(Runnable)}). Once only, from any thread.
     */
    void close() {
        if (closed.compareAndSet(false, true)) {
            logSummary();
            batcher.close(this::releaseEngine);
        }
    }

    /** Where this slot's time went, one line; never in the way of closing. */
    private void logSummary() {
        try {
            BatchStageTimes whole = batcher.stageTimes();
            String ran = batcher.busyStageTimes()
                    .map(busy -> busy.summary() + String.format(Locale.ROOT,
                            " (from its first image to the end of its last batch; open %.1f s)", whole.wallNanos() / 1e9))
                    .orElse(whole.summary());
            LOG.info("{} ran {}; CUDA graph captures {} ({} ms), nvJPEG re-initialisations {} ({} ms)", name,
                    ran, predictor.session().graphCaptures().count(),
                    Math.round(predictor.session().graphCaptures().millis()), predictor.nvJpegInitializations().count(),
                    Math.round(predictor.nvJpegInitializations().millis()));
        } catch (RuntimeException e) {
            LOG.debug("{}: no summary ({})", name, e.toString());
        }
    }

    private void releaseEngine() {
        try {
            predictor.close();
        } finally {
            lease.close();
        }
    }

    /** Counts the images the batcher still holds, then passes each outcome on with this generation. */
    private final class Counting implements BatchListener<T> {
        private final Listener<T> listener;

        Counting(Listener<T> listener) {
            this.listener = listener;
        }

        @Override
        public void completed(T item, Prediction p, long queueWaitNanos) {
            boolean reportedAsFailed = false;
            try {
                listener.completed(ModelGeneration.this, item, p, queueWaitNanos);
            } catch (RuntimeException e) { // MicroBatcher then calls failed() for this item, which counts it out
                reportedAsFailed = true;
                throw e;
            } finally {
                if (!reportedAsFailed) {
                    held.decrementAndGet();
                }
            }
        }

        @Override
        public void failed(T item, Throwable error) {
            try {
                listener.failed(item, error);
            } finally {
                held.decrementAndGet();
            }
        }

        @Override
        public void batchRan(int size, long inferenceNanos) {
            listener.batchRan(size, inferenceNanos);
        }
    }
}
