package io.streamdetect.batching;

import io.streamdetect.PipelineException;
import io.streamdetect.ThreadJoins;
import io.streamdetect.engine.Backend;
import io.streamdetect.engine.InputBatch;
import io.streamdetect.postprocess.DetectedObject;
import io.streamdetect.predict.Prediction;
import io.streamdetect.predict.Predictor;
import io.streamdetect.predict.PreparedImage;
import io.streamdetect.preprocess.Preprocessing;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Collects submitted images into micro-batches and runs them on one {@link Predictor}, with two threads so that
 * pre-processing of the next batch overlaps inference of the current one:
 *
 * <pre>
 *   submit() -> queue -> [prepare thread] decode + letterbox each image into a free InputBatch as it arrives;
 *                        the batch closes at maxBatchSize images; short of that, when the queue is empty and the
 *                        engine idle (adaptive), or maxBatchDelay after its first image (fixed; adaptive's limit
 *                        while the engine is busy)
 *            -> ready  -> [inference thread] engine run, YOLO decode + NMS, listener callbacks,
 *                        then the InputBatch goes back to the free pool
 * </pre>
 *
 * Two input buffers circulate, so at most one batch is prepared while another runs; with GPU pre-processing the
 * prepare thread also decodes each closed batch on the GPU, and three circulate (see {@link #uploadToGpu}).
 * With a {@link DecodePool} (see {@link BatchingConfig#decodeThreads}) the images of a batch decode in parallel,
 * and once it has run they are post-processed (YOLO decode + NMS) in parallel too, by the inference thread and the
 * pool together; the inference thread waits for all of them before the next batch overwrites the engine's output.
 * So listener callbacks come from several threads at once: listeners must be thread-safe.
 * Bad images are reported to the listener at once; their slots are closed up before the batch runs. Not bounded by itself: the caller bounds
 * in-flight items (Flink's async capacity does).
 *
 * <p>Failure rules, so that a broken engine fails the job (which then replays from its checkpoint) instead of
 * turning good images into dead letters:
 * <ul>
 *   <li>every submitted image gets exactly one outcome ({@code completed} or {@code failed}), unless the batcher
 *       is closed first;</li>
 *   <li>an engine failure, or any {@link Error} (out of memory, a bug) on either thread, <em>fails</em> the
 *       batcher: every image it holds is failed with the cause, and {@link #submit} refuses new ones;</li>
 *   <li>{@link #lateness} tells a caller's timeout whether the image is done, itself slow (its own decode),
 *       waiting its turn behind other images while batches keep finishing (behind: the caller looks again later),
 *       or held up by a batcher that failed or is stuck.</li>
 * </ul>
 *
 * <p>Native memory: the input buffers (and whatever the caller hands to {@link #close(Runnable)}, such as the
 * engine session) are released only once both threads have stopped, by whichever of the closing thread and the
 * two batcher threads is last. A batch still running when {@code close} gives up waiting keeps its memory until
 * it returns; it is never freed under it.
 */
public final class MicroBatcher<T> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MicroBatcher.class);
    /** Input buffers per batcher: 2 (one prepared while another runs), 3 with GPU pre-processing (see below). */
    private static final int CPU_BUFFERS = 2;
    private static final int GPU_BUFFERS = 3;
    /** How long {@link #close} waits for a running batch before leaving the release to the batcher's threads. */
    static final Duration CLOSE_GRACE = Duration.ofSeconds(10);

    /** Where a submitted image is; read by timeouts to tell a slow image from a stuck batcher. */
    public enum Progress { QUEUED, PREPARING, BATCHED, RUNNING, DONE }

    /** A submitted image, as its caller sees it. */
    public interface Ticket {
        Progress progress();
    }

    private final Predictor predictor;
    private final BatchingConfig config;
    private final BatchListener<T> listener;
    private final String name;
    private final int batchSize;
    private final BlockingQueue<Pending<T>> queue = new LinkedBlockingQueue<>();
    private final BlockingQueue<InputBatch> free;
    private final BlockingQueue<Batch<T>> ready = new ArrayBlockingQueue<>(1);
    private final List<InputBatch> buffers = new ArrayList<>();
    /** Submitted and not yet given an outcome: removing an item from here is what entitles a thread to report it. */
    private final Set<Pending<T>> outstanding = ConcurrentHashMap.newKeySet();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean closing;
    /** The two batcher threads and the closing thread: the last of them to finish releases the native memory. */
    private final AtomicInteger holders = new AtomicInteger(3);
    private volatile Runnable release = () -> {};
    private Duration closeGrace = CLOSE_GRACE;
    /**
     * Batches handed to the inference thread and not yet finished (ready or running): 0 means the engine is idle,
     * and an adaptive batch closes at once. Counted by the prepare thread before it hands a batch over and by the
     * inference thread after the batch ran, so there is no moment when a batch is in neither place.
     */
    private final AtomicInteger batchesInEngine = new AtomicInteger();
    /** Set while the prepare thread waits for company for an adaptive batch: the engine's going idle wakes it. */
    private volatile boolean waitingForCompany;
    /** Queued by the inference thread to wake a prepare thread waiting for company; never an image. */
    private final Pending<T> wakeUp = new Pending<>(null, null, 0);
    /** When the inference thread entered the engine for the batch it runs now; 0 while it is not in the engine. */
    private volatile long inferenceSinceNanos;
    /** When the engine last finished a batch, or the batcher started: how {@link #lateness} tells behind from stuck. */
    private volatile long lastBatchRanNanos = System.nanoTime();
    /**
     * With GPU pre-processing and a hold ({@link BatchingConfig#gpuDecodeHold}, 1 ms by default): the next full batch's
     * decode is submitted before this batch's engine run, so that the two overlap.
     */
    private final DecodeFirst decodeFirst;
    private final Thread prepareThread;
    private final Thread inferenceThread;
    /** Images the prepare thread prepares itself even with a decode pool: {@link Predictor#decodesOnGpu}. */
    private final java.util.function.Predicate<byte[]> preparedHere;
    /** Images handed to the decode pool so far; written by the prepare thread only. */
    private volatile long decodesOnPool;
    /** Decodes a batch's images in parallel; null: the prepare thread decodes them one by one. */
    private final DecodePool decodePool;
    /** Where the two threads spend their time: {@link #stageTimes}. */
    private final StageClocks clocks = new StageClocks();
    /** Polls instead of parking where a wake-up would add to a lone image's latency. */
    private final HandOffSpins spins;

    public MicroBatcher(Predictor predictor, BatchingConfig config, BatchListener<T> listener, String name) {
        this(predictor, config, listener, name, DecodeFirst.forBatcher(predictor.preprocessing() == Preprocessing.GPU,
                config.gpuDecodeHold()));
    }

    /** With a given launch order: tests hold batches without a GPU. */
    MicroBatcher(Predictor predictor, BatchingConfig config, BatchListener<T> listener, String name,
                 DecodeFirst decodeFirst) {
        this(predictor, config, listener, name, decodeFirst, predictor::decodesOnGpu);
    }

    /**
     * With a given launch order and a given choice of the images prepared on the prepare thread even with a decode
     * pool ({@link #decode}): tests route images without a GPU.
     */
    MicroBatcher(Predictor predictor, BatchingConfig config, BatchListener<T> listener, String name,
                 DecodeFirst decodeFirst, java.util.function.Predicate<byte[]> preparedHere) {
        this.predictor = predictor;
        this.preparedHere = preparedHere;
        this.config = config;
        this.listener = listener;
        this.name = name;
        this.batchSize = Math.min(config.maxBatchSize(), predictor.maxBatch());
        int count = predictor.preprocessing() == Preprocessing.GPU ? GPU_BUFFERS : CPU_BUFFERS;
        this.free = new ArrayBlockingQueue<>(count);
        this.decodeFirst = decodeFirst;
        this.spins = HandOffSpins.forBatcher(predictor.preprocessing() == Preprocessing.GPU, config.idleSpin());
        int decodeThreads = config.decodeThreadsFor(predictor.session().info().backend() == Backend.ONNXRUNTIME);
        this.decodePool = decodeThreads > 1 ? DecodePool.acquire(decodeThreads) : null;
        try {
            for (int i = 0; i < count; i++) {
                InputBatch b = predictor.newInputBatch();
                buffers.add(b);
                free.add(b);
            }
            warmUp();
            this.prepareThread = new Thread(() -> runAndRelease(this::prepareUntilStopped, clocks.prepare),
                    name + "-prepare");
            this.inferenceThread = new Thread(() -> runAndRelease(this::inferenceLoop, clocks.inference),
                    name + "-inference");
            prepareThread.setDaemon(true);
            inferenceThread.setDaemon(true);
            prepareThread.start();
        } catch (RuntimeException | Error e) { // nothing runs yet: what was allocated is ours alone to free
            buffers.forEach(InputBatch::close);
            if (decodePool != null) {
                DecodePool.release(decodePool);
            }
            throw e;
        }
        try {
            inferenceThread.start();
        } catch (RuntimeException | Error e) { // the prepare thread runs: it frees the buffers once it has stopped
            holders.decrementAndGet(); // the inference thread's hold: it never ran
            fail(e);
            close();
            throw e;
        }
    }

    /** The engine's first-use costs for these buffers, now, before either thread runs (see Predictor#warmUp). */
    private void warmUp() {
        long start = System.nanoTime();
        long before = predictor.session().graphCaptures().count();
        predictor.warmUp(buffers, batchSize);
        long captured = predictor.session().graphCaptures().count() - before;
        if (captured > 0) {
            LOG.info("{}: captured {} CUDA graphs before serving, in {} ms", name, captured,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }
    }

    /**
     * Queues one encoded image; its outcome reaches the listener later, on another thread.
     *
     * @throws BatcherFailedException when the batcher has failed (the cause is attached): the caller's job must
     *                                restart
     * @throws IllegalStateException  when the batcher is closed
     */
    public Ticket submit(byte[] image, T item) {
        throwIfFailed();
        if (closing) {
            throw new IllegalStateException("micro-batcher " + name + " is closed");
        }
        Pending<T> pending = new Pending<>(image, item, System.nanoTime());
        clocks.imageSubmitted();
        outstanding.add(pending);
        queue.add(pending);
        if (failure.get() != null) { // failed while we queued: nobody else will fail this one
            failOutstanding(failure.get());
        }
        return pending;
    }

    private void throwIfFailed() {
        Throwable cause = failure.get();
        if (cause != null) {
            throw new BatcherFailedException("micro-batcher " + name + " has failed and takes no more images: "
                    + cause, cause);
        }
    }

    /** Images submitted and not yet in a running batch. */
    public int queued() {
        return (int) queue.stream().filter(p -> p != wakeUp).count();
    }

    /**
     * Where the prepare and inference threads have spent their time since this batcher started, per {@link
     * BatchStage}, with the batches and images run: the difference of two snapshots is the window between them.
     * Cheap enough to read as a metric; safe from any thread.
     */
    public BatchStageTimes stageTimes() {
        return clocks.snapshot();
    }

    /** Images handed to the decode pool so far (the others were prepared on the prepare thread); for tests. */
    long decodesOnPool() {
        return decodesOnPool;
    }

    /**
     * {@link #stageTimes} from the first image submitted to the end of the latest batch: where the time went while
     * the batcher had work, without the idle stretch before its first image or after its last batch, which in a
     * short run can be a large part of the whole. Empty until a batch has finished.
     */
    public Optional<BatchStageTimes> busyStageTimes() {
        return clocks.busyWindow();
    }

    /** What failed this batcher, if anything did. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure.get());
    }

    /**
     * Why {@code ticket}'s image is late, called when the caller's timeout for it expired: {@link Lateness.Verdict#DONE}
     * when it is processed (its outcome is being reported), {@link Lateness.Verdict#SLOW_IMAGE} when its own
     * pre-processing is what is running and has run for half the timeout or more (a dead letter is the right
     * outcome), {@link Lateness.Verdict#BEHIND} when it waits its turn while the engine runs a batch or finished one
     * within {@code timeout}, or has only just begun its own decode after such a wait (the caller's capacity takes
     * longer than its timeout to work through: the caller looks again later), otherwise {@link
     * Lateness.Verdict#BATCHER_AT_FAULT} with the reason, meant to fail the job: the batcher failed, lost a thread, the
     * engine has run one batch for {@code timeout} or more (stuck), or no batch has finished for {@code timeout} while
     * the engine is idle (the prepare thread is stuck).
     */
    public Lateness lateness(Ticket ticket, Duration timeout) {
        Throwable cause = failure.get();
        Progress progress = ticket.progress();
        if (progress == Progress.DONE) {
            return Lateness.DONE; // also after a failure: the batcher's thread delivered its outcome first
        }
        if (cause != null) {
            return Lateness.batcherAtFault(new BatcherFailedException("micro-batcher " + name + " has failed: " + cause,
                    cause));
        }
        if (progress == Progress.PREPARING) {
            // slow itself once its own decode has taken half the timeout; one that waited its turn and has just
            // begun is behind (a timeout later it is done, or still decoding: slow then)
            long decoding = ticket instanceof Pending<?> p ? System.nanoTime() - p.preparingSinceNanos : Long.MAX_VALUE;
            return decoding >= timeout.toNanos() / 2 ? Lateness.SLOW_IMAGE : Lateness.BEHIND;
        }
        long since = inferenceSinceNanos;
        long runningNanos = since == 0 ? 0 : System.nanoTime() - since;
        String engine = since == 0 ? "the engine is idle"
                : "the engine has been running one batch for " + TimeUnit.NANOSECONDS.toMillis(runningNanos) + " ms";
        if (!prepareThread.isAlive() || !inferenceThread.isAlive()) {
            return Lateness.batcherAtFault(new BatcherFailedException("micro-batcher " + name + " lost a thread; "
                    + engine, null));
        }
        long sinceLastBatchNanos = System.nanoTime() - lastBatchRanNanos;
        if (runningNanos < timeout.toNanos() && (since != 0 || sinceLastBatchNanos < timeout.toNanos())) {
            // batches keep running: the image waits its turn; failing the job would replay the same backlog
            return Lateness.BEHIND;
        }
        String hint = since != 0 ? "the engine is stuck (a hung GPU or a deadlocked backend)"
                : "no batch has finished for " + TimeUnit.NANOSECONDS.toMillis(sinceLastBatchNanos)
                        + " ms: the batcher's prepare thread is stuck";
        return Lateness.batcherAtFault(new BatcherFailedException("an image was still " + progress
                + " in micro-batcher " + name + " after " + timeout.toMillis() + " ms; " + engine + " (" + hint + ")",
                null));
    }

    /** The prepare loop; once it has stopped, however, no decode is coming, so the inference thread holds for none. */
    private void prepareUntilStopped() throws InterruptedException {
        try {
            prepareLoop();
        } finally {
            decodeFirst.idle();
        }
    }

    private void prepareLoop() throws InterruptedException {
        StageClocks.Clock clock = clocks.prepare;
        while (!closing && failure.get() == null) {
            clock.enter(BatchStage.WAIT_FOR_IMAGE);
            Pending<T> first = spins.pollForImage(queue, () -> closing);
            if (first == null) {
                first = queue.poll(100, TimeUnit.MILLISECONDS);
            }
            if (first == null || first == wakeUp) {
                continue;
            }
            if (queue.size() + 1 >= batchSize) {
                // a hold only for a batch that will be full: below that, images trickle in, and holding a launch
                // for the next batch would add latency and win nothing
                decodeFirst.gathering();
            }
            clock.enter(BatchStage.WAIT_FOR_BUFFER);
            InputBatch buffer = free.take();
            Batch<T> batch = new Batch<>(buffer, batchSize);
            try {
                long deadline = first.submittedNanos + config.maxBatchDelay().toNanos();
                Pending<T> next = first;
                while (next != null) {
                    if (next != wakeUp) {
                        clock.enter(BatchStage.DECODE);
                        decode(next, batch);
                        if (batch.size() == batchSize) {
                            break;
                        }
                    }
                    next = queue.poll();
                    if (next == null) {
                        clock.enter(BatchStage.WAIT_FOR_COMPANY);
                        next = awaitCompany(deadline);
                    }
                }
            } finally {
                clock.enter(BatchStage.DECODE);
                batch.awaitDecodes(); // also on close: no decode may still write into a buffer that is then freed
            }
            batch.dropFailedSlots();
            try {
                handOver(batch, buffer);
            } finally {
                spins.uploading(false); // handed over or dropped: the inference thread need not poll for it
            }
        }
    }

    /** Uploads a prepared batch to the GPU where it pre-processes there, then hands it to the inference thread. */
    private void handOver(Batch<T> batch, InputBatch buffer) throws InterruptedException {
        boolean uploaded;
        try {
            uploaded = batch.size() > 0 && uploadToGpu(batch);
        } finally {
            decodeFirst.idle();
        }
        if (!uploaded) {
            free.add(buffer);
        } else {
            clocks.prepare.enter(BatchStage.WAIT_FOR_ENGINE);
            batchesInEngine.incrementAndGet();
            ready.put(batch);
        }
    }

    /**
     * Waits for the next image of a batch that is not full, until {@code deadline}; null closes the batch. Adaptive:
     * not at all while the engine is idle, and only until it goes idle ({@link #wakeUp} is then returned). The flag
     * is raised before the engine is looked at, so either this thread sees the engine idle or the inference thread
     * sees the flag and wakes it.
     */
    private Pending<T> awaitCompany(long deadline) throws InterruptedException {
        long wait = deadline - System.nanoTime();
        if (wait <= 0) {
            return null;
        }
        if (config.batchWait() == BatchWait.FIXED) {
            return queue.poll(wait, TimeUnit.NANOSECONDS);
        }
        waitingForCompany = true;
        try {
            return batchesInEngine.get() == 0 ? null : queue.poll(wait, TimeUnit.NANOSECONDS);
        } finally {
            waitingForCompany = false;
        }
    }

    /** The inference thread, after a batch: if that left the engine idle, a batch waiting for company closes now. */
    private void batchFinished() {
        if (batchesInEngine.decrementAndGet() == 0 && waitingForCompany) {
            queue.add(wakeUp);
        }
    }

    /**
     * Decodes and letterboxes an image into the batch's next slot: on the decode pool, or here without one. A JPEG
     * the GPU decodes is only checked on the host, in about a microsecond, so it is checked here even with a pool:
     * a pool thread's hand-off took 0.09-0.15 ms per image (H200, batch 1), a tenth of a lone image's latency, and
     * the check here takes 0.008-0.010 ms of the prepare thread's time per image (docs/benchmarks.md, session 14).
     */
    private void decode(Pending<T> pending, Batch<T> batch) {
        int slot = batch.reserve(pending);
        if (decodePool == null || preparedHere.test(pending.image)) {
            decodeInto(pending, batch, slot);
        } else {
            batch.decodes.add(decodePool.executor().submit(() -> decodeInto(pending, batch, slot)));
            decodesOnPool++; // volatile, one writer
        }
    }

    /** Leaves the slot empty (dropped before the batch runs) when the image fails. */
    private void decodeInto(Pending<T> pending, Batch<T> batch, int slot) {
        pending.preparingSinceNanos = System.nanoTime();
        pending.progress = Progress.PREPARING;
        try {
            batch.decoded[slot] = predictor.prepare(pending.image, batch.input, slot);
            pending.progress = Progress.BATCHED;
        } catch (PipelineException e) { // the image's fault: a dead letter
            complete(pending, Prediction.failed(e), System.nanoTime() - pending.submittedNanos);
        } catch (RuntimeException e) { // not the image's fault
            failItem(pending, e);
        } catch (Error e) { // on a pool thread nobody else would see it
            fail(e);
        }
    }

    /**
     * With GPU pre-processing, decodes the batch on the GPU here, on the prepare thread, not in {@code infer}:
     * a third buffer lets this thread decode the next batch while the inference thread runs the current one. nvJPEG's
     * decode waits for the GPU work submitted before it, though (the batch running now), so the two overlap only when
     * the inference thread holds each launch until this decode is submitted ({@link DecodeFirst}, sized by {@link
     * BatchingConfig#gpuDecodeHold}).
     * False when the upload failed; the batch's items are then failed, and so is the batcher: a GPU that cannot
     * decode cannot be trusted to infer either.
     */
    private boolean uploadToGpu(Batch<T> batch) {
        if (predictor.preprocessing() != Preprocessing.GPU) {
            return true;
        }
        clocks.prepare.enter(BatchStage.GPU_UPLOAD);
        decodeFirst.decoding();
        spins.uploading(true);
        try {
            predictor.uploadToGpu(batch.input, batch.prepared, batch.size());
            return true;
        } catch (RuntimeException e) {
            LOG.warn("GPU pre-processing failed for a batch of {}: {}", batch.size(), e.getMessage());
            fail(e);
            return false;
        }
    }

    private void inferenceLoop() throws InterruptedException {
        while (!closing && failure.get() == null) {
            clocks.inference.enter(BatchStage.WAIT_FOR_BATCH);
            Batch<T> batch = spins.pollWhileUploading(ready, () -> closing);
            if (batch == null) {
                batch = ready.poll(100, TimeUnit.MILLISECONDS);
            }
            if (batch != null) {
                try {
                    run(batch);
                } finally {
                    free.add(batch.input);
                    batchFinished();
                    clocks.batchFinished();
                }
            }
        }
    }

    private void run(Batch<T> batch) {
        int n = batch.size();
        batch.items.forEach(p -> p.progress = Progress.RUNNING);
        clocks.inference.enter(BatchStage.HOLD_FOR_DECODE);
        decodeFirst.awaitDecodeSubmitted();
        clocks.inference.enter(BatchStage.ENGINE);
        long start = System.nanoTime();
        FloatBuffer output;
        inferenceSinceNanos = start;
        try {
            output = predictor.infer(batch.input, batch.prepared, n);
        } catch (RuntimeException | Error e) {
            LOG.warn("inference failed for a batch of {}: {}", n, e.toString());
            fail(e); // fails this batch's items too: they are outstanding
            return;
        } finally {
            inferenceSinceNanos = 0;
        }
        lastBatchRanNanos = System.nanoTime();
        long inferenceNanos = lastBatchRanNanos - start;
        clocks.inference.enter(BatchStage.POSTPROCESS);
        clocks.batchRan(n);
        listener.batchRan(n, inferenceNanos);
        postprocessAll(new RanBatch<>(batch, output, start, inferenceNanos));
    }

    /**
     * Post-processes every image of a batch that ran: on this thread alone without a decode pool; with one, this
     * thread and up to {@code threads - 1} pool tasks take images off a shared counter, so each image is done
     * once, by whoever is free first (a task that starts late, behind other slots' decodes, finds nothing left).
     * Returns once all are done: the output buffer is the engine's and the next batch overwrites it. An {@link
     * Error} in any of them (or an exception a listener threw) is rethrown here, after the others finished, and
     * fails the batcher as before.
     */
    private void postprocessAll(RanBatch<T> ran) {
        int n = ran.batch.size();
        int helpers = decodePool == null ? 0 : Math.min(decodePool.threads(), n) - 1;
        if (helpers <= 0) {
            ran.postprocessRemaining(this);
            return;
        }
        List<Future<?>> tasks = new ArrayList<>(helpers);
        Throwable error = null;
        try {
            for (int h = 0; h < helpers; h++) {
                tasks.add(decodePool.executor().submit(() -> ran.postprocessRemaining(this)));
            }
        } catch (RuntimeException e) { // the pool refused a task (shut down): this thread does the rest
            LOG.debug("decode pool refused a post-processing task: {}", e.toString());
        }
        try {
            ran.postprocessRemaining(this);
        } catch (RuntimeException | Error e) { // rethrown below, once no helper reads the output any more
            error = e;
        }
        // helpers still queued behind other slots' decodes would find nothing left: take them off the queue
        // instead of waiting for the pool to reach them (one that has started is waited for: it reads the output)
        tasks.removeIf(decodePool::unstarted);
        Throwable helperError = awaitAll(tasks);
        error = error != null ? error : helperError;
        if (error instanceof Error e) {
            throw e;
        }
        if (error instanceof RuntimeException e) { // from a listener: fails the batcher, as on one thread
            throw e;
        }
        if (error != null) {
            throw new IllegalStateException("post-processing failed", error);
        }
    }

    /** Post-processes image {@code i} of a batch that ran and reports its outcome. */
    private void postprocessOne(RanBatch<T> ran, int i) {
        Pending<T> p = ran.batch.items.get(i);
        PreparedImage prepared = ran.batch.prepared.get(i);
        PipelineException failure = predictor.failure(i);
        if (failure != null) { // an image only the GPU decode could have told bad: a dead letter like any other
            complete(p, Prediction.failed(failure), ran.startNanos - p.submittedNanos);
            return;
        }
        List<DetectedObject> objects;
        try {
            objects = predictor.postprocess(ran.output, i, prepared);
        } catch (RuntimeException e) {
            failItem(p, e);
            return;
        }
        complete(p, new Prediction(prepared.width(), prepared.height(), objects, null,
                prepared.preprocessNanos(), ran.inferenceNanos, ran.batch.size()), ran.startNanos - p.submittedNanos);
    }

    /** Waits for every task, through interrupts (they take milliseconds); the first failure, if any. */
    private static Throwable awaitAll(List<Future<?>> tasks) {
        Throwable first = null;
        boolean interrupted = false;
        for (Future<?> f : tasks) {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    first = first == null ? e.getCause() : first;
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return first;
    }

    /** Reports an outcome, once per item; none after close (the caller's job replays those images). */
    private void complete(Pending<T> pending, Prediction prediction, long queueWaitNanos) {
        if (take(pending)) {
            long start = System.nanoTime();
            try {
                listener.completed(pending.item, prediction, queueWaitNanos);
            } catch (RuntimeException e) { // e.g. a record the listener could not build: the item fails, not the batcher
                listener.failed(pending.item, e);
            } finally {
                clocks.listenerCalled(System.nanoTime() - start);
            }
        }
    }

    private void failItem(Pending<T> pending, Throwable error) {
        if (take(pending)) {
            listener.failed(pending.item, error);
        }
    }

    private boolean take(Pending<T> pending) {
        pending.progress = Progress.DONE;
        return outstanding.remove(pending) && !closing;
    }

    /** Fails the batcher: every image it holds now, and every image submitted later, fails with {@code cause}. */
    private void fail(Throwable cause) {
        if (failure.compareAndSet(null, cause) && !closing) {
            LOG.error("micro-batcher {} failed; failing its {} images so that the job restarts", name,
                    outstanding.size(), cause);
        }
        failOutstanding(failure.get());
    }

    private void failOutstanding(Throwable cause) {
        for (Pending<T> p : outstanding) {
            failItem(p, cause);
        }
    }

    /**
     * Runs one batcher thread's loop; an {@link Error} or unexpected exception fails the batcher instead of
     * ending the thread silently. The thread then stops its stage clock and gives up its hold on the native memory.
     */
    private void runAndRelease(Loop loop, StageClocks.Clock clock) {
        try {
            loop.run();
        } catch (InterruptedException e) {
            if (!closing) {
                fail(new IllegalStateException("micro-batcher thread " + Thread.currentThread().getName()
                        + " was interrupted", e));
            }
        } catch (Throwable t) {
            fail(t);
        } finally {
            clock.stop();
            releaseIfLast();
        }
    }

    @FunctionalInterface
    private interface Loop {
        void run() throws InterruptedException;
    }

    /** Stops both threads and frees the input buffers once they have stopped. Queued images get no outcome. */
    @Override
    public void close() {
        close(() -> {});
    }

    /**
     * Stops both threads; once both have stopped, frees the input buffers and then runs {@code release} (for the
     * native memory the threads use, such as the predictor's engine session). Waits up to {@link #CLOSE_GRACE}
     * for a running batch, also when the calling thread is interrupted (Flink interrupts the task thread on
     * cancel); if the batch is still running then, this returns and the batcher's last thread releases everything
     * when it returns. Images not yet done get no outcome.
     */
    public void close(Runnable release) {
        if (closing) {
            return;
        }
        this.release = release;
        closing = true;
        prepareThread.interrupt(); // it waits for images; the inference thread finishes its batch first
        boolean stopped = ThreadJoins.join(closeGrace, List.of(prepareThread, inferenceThread));
        if (!stopped) {
            long since = inferenceSinceNanos;
            LOG.error("micro-batcher {} still runs a batch ({} ms in the engine) after {} s; its buffers and engine "
                    + "session are released when that batch returns", name,
                    since == 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since), closeGrace.toMillis() / 1000.0);
        }
        releaseIfLast();
    }

    /** For tests: how long {@link #close} waits for a running batch. */
    void closeGrace(Duration grace) {
        this.closeGrace = grace;
    }

    private void releaseIfLast() {
        if (holders.decrementAndGet() == 0) {
            if (decodePool != null) {
                DecodePool.release(decodePool);
            }
            buffers.forEach(InputBatch::close);
            release.run();
        }
    }

    /** A batch the engine has run, being post-processed: its images are handed out once each by {@link #next}. */
    private static final class RanBatch<T> {
        final Batch<T> batch;
        final FloatBuffer output;
        final long startNanos;
        final long inferenceNanos;
        private final AtomicInteger next = new AtomicInteger();

        RanBatch(Batch<T> batch, FloatBuffer output, long startNanos, long inferenceNanos) {
            this.batch = batch;
            this.output = output;
            this.startNanos = startNanos;
            this.inferenceNanos = inferenceNanos;
        }

        /** Takes images off the counter until none is left; each is post-processed by exactly one caller. */
        void postprocessRemaining(MicroBatcher<T> batcher) {
            for (int i = next.getAndIncrement(); i < batch.size(); i = next.getAndIncrement()) {
                batcher.postprocessOne(this, i);
            }
        }
    }

    private static final class Pending<T> implements Ticket {
        final byte[] image;
        final T item;
        final long submittedNanos;
        volatile Progress progress = Progress.QUEUED;
        /** When its own decode began; written before {@link #progress} becomes PREPARING. */
        volatile long preparingSinceNanos;

        Pending(byte[] image, T item, long submittedNanos) {
            this.image = image;
            this.item = item;
            this.submittedNanos = submittedNanos;
        }

        @Override
        public Progress progress() {
            return progress;
        }
    }

    private static final class Batch<T> {
        final InputBatch input;
        final List<Pending<T>> items = new ArrayList<>();
        /**
         * Per slot, what its decode returned; null while decoding, or for an image that failed. An array, not a
         * list: pool threads write their slots while the prepare thread still reserves more, and a growing list
         * could lose such a write in its copy.
         */
        final PreparedImage[] decoded;
        /** The good slots' images, in slot order, once {@link #dropFailedSlots} has closed the gaps. */
        final List<PreparedImage> prepared = new ArrayList<>();
        final List<Future<?>> decodes = new ArrayList<>();

        Batch(InputBatch input, int capacity) {
            this.input = input;
            this.decoded = new PreparedImage[capacity];
        }

        int size() {
            return items.size();
        }

        int reserve(Pending<T> p) {
            items.add(p);
            return items.size() - 1;
        }

        /** Waits for the decodes sent to the pool, through interrupts (they take milliseconds). */
        void awaitDecodes() {
            awaitAll(decodes); // decodeInto catches everything: no failure to rethrow
        }

        /**
         * Closes the gaps of failed images: later slots move forward, their pixels too, so the engine runs the
         * good images only, in slots 0..n-1, bit for bit as decoded.
         */
        void dropFailedSlots() {
            int write = 0;
            for (int read = 0; read < items.size(); read++) {
                PreparedImage image = decoded[read];
                if (image == null) {
                    continue;
                }
                if (read != write) {
                    if (image.gpuJpeg() == null) { // decoded on the CPU: its pixels are in the slot
                        int size = input.imageSize();
                        input.floats().put(write * size, input.floats(), read * size, size);
                    }
                    items.set(write, items.get(read));
                }
                prepared.add(image);
                write++;
            }
            items.subList(write, items.size()).clear();
        }
    }
}
