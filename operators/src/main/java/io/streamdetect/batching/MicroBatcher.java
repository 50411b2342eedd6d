package io.streamdetect.batching;

import io.streamdetect.PipelineException;
import io.streamdetect.engine.InputBatch;
import io.streamdetect.postprocess.DetectedObject;
import io.streamdetect.predict.Prediction;
import io.streamdetect.predict.Predictor;
import io.streamdetect.predict.PreparedImage;
import io.streamdetect.preprocess.Preprocessing;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects submitted images into micro-batches and runs them on one {@link Predictor}, with two threads so that
 * pre-processing of the next batch overlaps inference of the current one:
 *
 * <pre>
 *   submit() -> queue -> [prepare thread] decode + letterbox each image into a free InputBatch as it arrives;
 *                        the batch closes at maxBatchSize images or maxBatchDelay after its first image
 *            -> ready  -> [inference thread] engine run, YOLO decode + NMS, listener callbacks,
 *                        then the InputBatch goes back to the free pool
 * </pre>
 *
 * Two input buffers circulate, so at most one batch is prepared while another runs; with GPU pre-processing the
 * prepare thread also decodes each closed batch on the GPU, and three circulate (see {@link #uploadToGpu}).
 * Bad images are reported to the listener at once and take no slot. Not bounded by itself: the caller bounds in-flight items (Flink's
 * async capacity does).
 */
public final class MicroBatcher<T> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MicroBatcher.class);
    /** Input buffers per batcher: 2 (one prepared while another runs), 3 with GPU pre-processing (see below). */
    private static final int CPU_BUFFERS = 2;
    private static final int GPU_BUFFERS = 3;

    private final Predictor predictor;
    private final BatchingConfig config;
    private final BatchListener<T> listener;
    private final int batchSize;
    private final BlockingQueue<Pending<T>> queue = new LinkedBlockingQueue<>();
    private final BlockingQueue<InputBatch> free;
    private final BlockingQueue<Batch<T>> ready = new ArrayBlockingQueue<>(1);
    private final List<InputBatch> buffers = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread prepareThread;
    private final Thread inferenceThread;

    public MicroBatcher(Predictor predictor, BatchingConfig config, BatchListener<T> listener, String name) {
        this.predictor = predictor;
        this.config = config;
        this.listener = listener;
        this.batchSize = Math.min(config.maxBatchSize(), predictor.maxBatch());
        int count = predictor.preprocessing() == Preprocessing.GPU ? GPU_BUFFERS : CPU_BUFFERS;
        this.free = new ArrayBlockingQueue<>(count);
        for (int i = 0; i < count; i++) {
            InputBatch b = predictor.newInputBatch();
            buffers.add(b);
            free.add(b);
        }
        this.prepareThread = new Thread(this::prepareLoop, name + "-prepare");
        this.inferenceThread = new Thread(this::inferenceLoop, name + "-inference");
        prepareThread.setDaemon(true);
        inferenceThread.setDaemon(true);
        prepareThread.start();
        inferenceThread.start();
    }

    /** Queues one encoded image; its outcome reaches the listener later, on another thread. */
    public void submit(byte[] image, T item) {
        if (!running.get()) {
            throw new IllegalStateException("micro-batcher is closed");
        }
        queue.add(new Pending<>(image, item, System.nanoTime()));
    }

    /** Images submitted and not yet in a running batch. */
    public int queued() {
        return queue.size();
    }

    private void prepareLoop() {
        try {
            while (running.get()) {
                Pending<T> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                InputBatch buffer = free.take();
                Batch<T> batch = new Batch<>(buffer);
                long deadline = first.submittedNanos + config.maxBatchDelay().toNanos();
                Pending<T> next = first;
                while (next != null) {
                    prepare(next, batch);
                    if (batch.size() == batchSize) {
                        break;
                    }
                    next = queue.poll();
                    if (next == null) {
                        long wait = deadline - System.nanoTime();
                        next = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : null;
                    }
                }
                if (batch.size() == 0 || !uploadToGpu(batch)) {
                    free.add(buffer);
                } else {
                    ready.put(batch);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void prepare(Pending<T> pending, Batch<T> batch) {
        try {
            PreparedImage prepared = predictor.prepare(pending.image, batch.input, batch.size());
            batch.add(pending, prepared);
        } catch (PipelineException e) {
            listener.completed(pending.item, Prediction.failed(e),
                    System.nanoTime() - pending.submittedNanos);
        } catch (RuntimeException e) {
            listener.failed(pending.item, e);
        }
    }

    /**
     * With GPU pre-processing, decodes the batch on the GPU here, on the prepare thread, not in {@code infer}:
     * nvJPEG's decode call first waits for the work already on the GPU (the batch running now), then decodes while
     * the inference thread starts the batch prepared before. So decoding overlaps inference only with a third
     * buffer and from this thread. False when the upload failed; the batch's items are then told so.
     */
    private boolean uploadToGpu(Batch<T> batch) {
        if (predictor.preprocessing() != Preprocessing.GPU) {
            return true;
        }
        try {
            predictor.uploadToGpu(batch.input, batch.prepared, batch.size());
            return true;
        } catch (RuntimeException e) {
            LOG.warn("GPU pre-processing failed for a batch of {}: {}", batch.size(), e.getMessage());
            for (Pending<T> p : batch.items) {
                listener.failed(p.item, e);
            }
            return false;
        }
    }

    private void inferenceLoop() {
        try {
            while (running.get() || !ready.isEmpty()) {
                Batch<T> batch = ready.poll(100, TimeUnit.MILLISECONDS);
                if (batch != null) {
                    try {
                        run(batch);
                    } finally {
                        free.add(batch.input);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run(Batch<T> batch) {
        long start = System.nanoTime();
        int n = batch.size();
        FloatBuffer output;
        try {
            output = predictor.infer(batch.input, batch.prepared, n);
        } catch (RuntimeException e) {
            LOG.warn("inference failed for a batch of {}: {}", n, e.getMessage());
            for (Pending<T> p : batch.items) {
                listener.failed(p.item, e);
            }
            return;
        }
        long inferenceNanos = System.nanoTime() - start;
        listener.batchRan(n, inferenceNanos);
        for (int i = 0; i < n; i++) {
            Pending<T> p = batch.items.get(i);
            PreparedImage prepared = batch.prepared.get(i);
            PipelineException failure = predictor.failure(i);
            if (failure != null) { // an image only the GPU decode could have told bad: a dead letter like any other
                listener.completed(p.item, Prediction.failed(failure), start - p.submittedNanos);
                continue;
            }
            try {
                List<DetectedObject> objects = predictor.postprocess(output, i, prepared);
                listener.completed(p.item, new Prediction(prepared.width(), prepared.height(), objects, null,
                        prepared.preprocessNanos(), inferenceNanos, n), start - p.submittedNanos);
            } catch (RuntimeException e) {
                listener.failed(p.item, e);
            }
        }
    }

    /** Stops both threads and frees the input buffers. Items still queued get no outcome. */
    @Override
    public void close() {
        running.set(false);
        prepareThread.interrupt();
        join(prepareThread);
        join(inferenceThread);
        buffers.forEach(InputBatch::close);
    }

    private static void join(Thread t) {
        try {
            t.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record Pending<T>(byte[] image, T item, long submittedNanos) {}

    private static final class Batch<T> {
        final InputBatch input;
        final List<Pending<T>> items = new ArrayList<>();
        final List<PreparedImage> prepared = new ArrayList<>();

        Batch(InputBatch input) {
            this.input = input;
        }

        int size() {
            return items.size();
        }

        void add(Pending<T> p, PreparedImage image) {
            items.add(p);
            prepared.add(image);
        }
    }
}
