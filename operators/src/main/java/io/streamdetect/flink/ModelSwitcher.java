package io.streamdetect.flink;

import io.streamdetect.ThreadJoins;
import io.streamdetect.batching.Lateness;
import io.streamdetect.batching.MicroBatcher;
import io.streamdetect.engine.EngineInfo;
import io.streamdetect.engine.EngineSpec;
import io.streamdetect.engine.SharedEngines;
import io.streamdetect.predict.Prediction;
import io.streamdetect.predict.Predictor;
import io.streamdetect.swap.AcceptedModel;
import io.streamdetect.swap.FileDigest;
import io.streamdetect.swap.ModelWatch;
import io.streamdetect.swap.ModelWatcher;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models of one task slot: the {@link ModelGeneration} new images go to, and, after a swap, older ones
 * finishing the images they took. With {@code model.watch} set, a {@link ModelWatcher} thread loads each new
 * candidate in the background (through {@link SharedEngines}, so the slots of a TaskManager load it once),
 * checks it, and switches the slot to it between two submits: the old batcher's batches are its own, the new
 * one's start with the next image, so every image is processed by exactly one model. A candidate that cannot be
 * used is refused with a log line and {@code modelSwapsRefused}; the slot keeps its model.
 *
 * <p>The first model opens in the background too, on a thread of its own, so that the task is RUNNING (and takes
 * part in checkpoints) while its engine loads, which on a GPU takes seconds, and minutes when a TensorRT plan is
 * built first. Images submitted meanwhile wait here, in order, and go to the model's batcher once it is open. Their
 * timeout counts from that moment, not from their arrival ({@link Placed#deferTimeout}): waiting for a load is
 * neither the image's fault nor a stuck batcher's. If the model cannot be opened, each of them fails with the
 * reason, and so does every later {@link #submit}, so the job fails and restarts as it did when the model opened in
 * the task's {@code open}.
 */
final class ModelSwitcher<T> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelSwitcher.class);
    /** How often the watcher thread checks whether a replaced model has finished its images. */
    private static final long DRAIN_POLL_MILLIS = 20;

    private final DetectionSettings settings;
    private final EngineSpec spec;
    private final ModelGeneration.Listener<T> listener;
    private final String name;
    private final ModelSwapMetrics metrics;
    private final java.util.function.Consumer<T> expire;
    private final Object lock = new Object();
    /** Opens the first model in the background; {@link #close} waits for it, up to {@link #OPEN_GRACE}. */
    private final Thread opener;
    private ModelGeneration<T> current; // guarded by lock; null until the first model is open
    /** Images submitted while the first model opens, in order; null once it is open or failed. Guarded by lock. */
    private List<Waiting<T>> waiting = new ArrayList<>();
    /** Why the first model could not be opened; guarded by lock. */
    private RuntimeException openFailure;
    private final List<ModelGeneration<T>> retired = new ArrayList<>(); // guarded by lock
    private boolean closed; // guarded by lock
    private volatile AcceptedModel accepted;
    private ModelWatcher watcher; // guarded by lock; started once the first model is open

    /**
     * A submitted image and the generation that holds it (whose batcher its timeout must ask); both null while it
     * waits for the first model to open.
     */
    static final class Placed<T> implements MicroBatcher.Ticket {
        private volatile ModelGeneration<T> generation;
        private volatile MicroBatcher.Ticket ticket;
        /** Submitted while the slot's first model opened: its timeout counts from the opening. */
        private final boolean waitedForOpen;
        /**
         * The caller's timeout expired before a full timeout had passed since the model opened (while the image
         * waited for it, or soon after the opening handed it to the batcher).
         */
        private volatile boolean timedOutWhileOpening;
        /** The slot has looked at this image a full timeout after the model opened ({@link #expireDeferred}). */
        private volatile boolean deferredExpiryPassed;

        private Placed() {
            this.waitedForOpen = true;
        }

        private Placed(ModelGeneration<T> generation, MicroBatcher.Ticket ticket) {
            this.ticket = ticket;
            this.generation = generation;
            this.waitedForOpen = false;
        }

        /** Null while the image waits for the slot's first model to open. */
        ModelGeneration<T> generation() {
            return generation;
        }

        MicroBatcher.Ticket ticket() {
            return ticket;
        }

        /** QUEUED while the image waits for the slot's first model to open. */
        @Override
        public MicroBatcher.Progress progress() {
            MicroBatcher.Ticket inBatcher = ticket;
            return inBatcher == null ? MicroBatcher.Progress.QUEUED : inBatcher.progress();
        }

        /** False while the image waits for the slot's first model to open. */
        boolean inBatcher() {
            return generation != null;
        }

        /**
         * Called when the caller's timeout for this image expires. True for an image submitted while the model
         * opened, until a full timeout has passed since the opening, and then the caller must leave it be: the slot
         * calls its {@code expire} for it a full timeout after the model opened (a no-op there if it has its outcome
         * by then). Its timer counts from its submission, so it fires before that, also when the image has been
         * handed to the batcher since: expired then, an image that waited 29 of 30 s for a slow opening got 1 s in
         * the batcher, and its first batch's decode made it a TIMEOUT dead letter (or a "batcher behind" job
         * failure). False: it was submitted to an open model, or its deferred look has passed; expire it now.
         */
        boolean deferTimeout() {
            if (!waitedForOpen) {
                return false;
            }
            timedOutWhileOpening = true;
            // set before looking: either the slot's deferred look, marking it passed, sees the flag, or this sees
            // the mark (or both, and expire runs twice, which the callers' completion guards make harmless)
            return !deferredExpiryPassed;
        }

        /** Why the image is late (see {@link MicroBatcher#lateness}); once it is in a batcher. */
        Lateness lateness(java.time.Duration timeout) {
            // the batcher asked is the one of the model that took the image, also when the slot has switched since
            return generation.batcher().lateness(ticket, timeout);
        }
    }

    private record Waiting<T>(byte[] image, T item, Placed<T> placed) {}

    /**
     * Starts opening the slot, in the background, on {@code restored} when it is given and its file still holds
     * the bytes that were accepted, else on {@code spec}'s model; once it is open, hands it the images submitted
     * meanwhile and starts watching when {@code settings.modelWatch()} is set.
     *
     * @param expire called, on another thread, for an image whose timeout expired while it waited for the model
     *               to open ({@link Placed#deferTimeout}), {@code settings.timeout()} after the model opened
     */
    ModelSwitcher(DetectionSettings settings, EngineSpec spec, AcceptedModel restored, ModelGeneration.Listener<T> listener,
                  String name, ModelSwapMetrics metrics, java.util.function.Consumer<T> expire) {
        this.settings = settings;
        this.spec = spec;
        this.listener = listener;
        this.name = name;
        this.metrics = metrics;
        this.expire = expire;
        // what a checkpoint taken while the model opens keeps: the restored model, unless it turns out unusable
        accepted = settings.modelWatch() == null ? null : restored;
        opener = new Thread(() -> openFirst(restored), name + "-open");
        opener.setDaemon(true);
        opener.start();
    }

    /** As above, for callers without timeouts (tests). */
    ModelSwitcher(DetectionSettings settings, EngineSpec spec, AcceptedModel restored, ModelGeneration.Listener<T> listener,
                  String name, ModelSwapMetrics metrics) {
        this(settings, spec, restored, listener, name, metrics, item -> {});
    }

    /** On the opening thread: the first model, then the images that waited for it. */
    private void openFirst(AcceptedModel restored) {
        ModelWatch watch = settings.modelWatch();
        ModelGeneration<T> first;
        try {
            first = watch == null || restored == null ? null : reopen(restored);
            if (first == null && isClosed()) {
                return; // closed before the configured model's opening: open nothing for a closed slot
            }
            if (first == null) {
                // with a watch, the file's own hash: an .engine file's model hash is its source ONNX's, which the
                // watcher would take for another model and "swap" to the very file running
                SharedEngines.Lease lease = SharedEngines.instance().acquire(spec);
                if (closedMeanwhile(lease)) {
                    return;
                }
                first = new ModelGeneration<>(lease, settings, watch == null ? null : fileHashOrNull(spec.model()),
                        listener, name);
            }
        } catch (RuntimeException | Error e) {
            failedToOpen(e);
            return;
        }
        List<Waiting<T>> handedOver;
        synchronized (lock) {
            if (closed) {
                first.close();
                return;
            }
            current = first;
            for (Waiting<T> w : waiting) { // in order, and before any image submitted from now on
                try {
                    w.placed.ticket = first.submit(w.image, w.item);
                    w.placed.generation = first;
                } catch (RuntimeException e) { // a batcher failed at once: as a submit that throws, the image fails
                    listener.failed(w.item, e);
                }
            }
            handedOver = waiting;
            waiting = null;
            watcher = watch == null ? null : new ModelWatcher(watch, name + "-model-watch", this::consider).start();
        }
        metrics.active(first.modelName(), first.modelSha256());
        warnIfSharingAGpu(first);
        if (!handedOver.isEmpty()) {
            // a waiting image's timer fires before a full timeout from now (it was submitted before the opening):
            // deferTimeout leaves it waiting, and this one look a full timeout from now expires it if still unfinished
            java.util.concurrent.CompletableFuture.delayedExecutor(settings.timeout().toMillis(),
                    java.util.concurrent.TimeUnit.MILLISECONDS).execute(() -> expireDeferred(handedOver));
        }
    }

    private void expireDeferred(List<Waiting<T>> handedOver) {
        synchronized (lock) {
            if (closed) {
                return;
            }
        }
        for (Waiting<T> w : handedOver) {
            w.placed.deferredExpiryPassed = true;
            if (w.placed.timedOutWhileOpening && w.placed.inBatcher()) { // not one that failed at the handover
                expire.accept(w.item); // one that has its outcome already is a no-op there
            }
        }
    }

    /** Slots per GPU beyond which GPU pre-processing adds no throughput (measured; see {@link #warnIfSharingAGpu}). */
    private static final int MOST_SLOTS_PER_GPU = 2;

    private void warnIfSharingAGpu(ModelGeneration<T> model) {
        int slotsOnThisEngine = SharedEngines.instance().users(spec);
        if (model.predictor().preprocessing() == io.streamdetect.preprocess.Preprocessing.GPU
                && slotsOnThisEngine > MOST_SLOTS_PER_GPU) {
            // nvJPEG's decode waits for the GPU work submitted before it, so beyond two slots their decodes queue
            // behind each other's inference (docs/benchmarks.md, H200, FP16, batch 64, through Kafka, session 7:
            // 7,452 img/s with two slots against 6,944 with one, both with the decode hold; sessions 4-5: 0.67x of
            // compute-only with four slots against 0.74x with two), and each slot holds ~2.8 GB
            LOG.warn("{} slots of this TaskManager share one GPU with GPU pre-processing; more than {} add no "
                    + "throughput at batch 64 (on a batch-1 plan a third lowers the tail at low load) and each holds "
                    + "~2.8 GB of GPU memory at batch 64", slotsOnThisEngine, MOST_SLOTS_PER_GPU);
        }
    }

    /** The first model cannot be opened: the images that waited fail with why, as will every later submit. */
    private void failedToOpen(Throwable e) {
        RuntimeException why = new IllegalStateException(name + " could not open its model " + spec.modelPath()
                + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
        List<Waiting<T>> failed;
        synchronized (lock) {
            if (closed) {
                return; // interrupted by close(), not the model's fault
            }
            openFailure = why;
            failed = waiting;
            waiting = null;
        }
        LOG.error("{}; failing the {} image(s) waiting for it so that the job restarts", why.getMessage(),
                failed.size(), e);
        failed.forEach(w -> listener.failed(w.item, why));
    }

    /**
     * Throws why the first model could not be opened, if it could not: so that a slot without images fails its
     * task too (the detection function calls this when it takes a checkpoint).
     */
    void throwIfFailedToOpen() {
        synchronized (lock) {
            if (openFailure != null) {
                throw openFailure;
            }
        }
    }

    private static String fileHashOrNull(Path file) {
        try {
            return FileDigest.sha256(file);
        } catch (IOException e) {
            return null; // compared by the model's hash instead
        }
    }

    /** The model accepted before the restart, if its file is unchanged and it opens; else null (and why, logged). */
    private ModelGeneration<T> reopen(AcceptedModel restored) {
        ModelGeneration<T> generation = reopenOrNull(restored);
        if (generation == null) {
            accepted = null; // the slot runs the configured model: a checkpoint from now on says so
        }
        return generation;
    }

    private ModelGeneration<T> reopenOrNull(AcceptedModel restored) {
        Path path = Path.of(restored.path());
        try {
            String sha = Files.exists(path) ? FileDigest.sha256(path) : null;
            if (!restored.fileSha256().equals(sha)) {
                LOG.warn("model.watch: {} accepted before the restart, but {}; starting on {}", path,
                        sha == null ? "it is gone" : "it has changed since", spec.modelPath());
                return null;
            }
            SharedEngines.Lease lease = SharedEngines.instance().acquire(spec.withModelPath(path.toString()), sha);
            if (closedMeanwhile(lease)) {
                throw new IllegalStateException(name + " is closed");
            }
            ModelGeneration<T> generation = new ModelGeneration<>(lease, settings, sha, listener, name);
            LOG.info("model.watch: {} restored on {} (sha256 {}), the model accepted before the restart", name, path,
                    generation.modelSha256());
            return generation;
        } catch (IOException | RuntimeException e) {
            if (!isClosed()) { // closed meanwhile: nothing wrong with the model, and nothing starts
                LOG.warn("model.watch: cannot reopen {}, accepted before the restart ({}); starting on {}", path, e,
                        spec.modelPath());
            }
            return null;
        }
    }

    /**
     * Queues an image on the current model, or, while the first model opens, here until it is open.
     *
     * @throws IllegalStateException when the first model could not be opened (with why), or the slot is closed
     */
    Placed<T> submit(byte[] image, T item) {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException(name + " is closed");
            }
            if (openFailure != null) {
                throw openFailure;
            }
            ModelGeneration<T> generation = current;
            if (generation == null) {
                Placed<T> placed = new Placed<>();
                waiting.add(new Waiting<>(image, item, placed));
                return placed;
            }
            return new Placed<>(generation, generation.submit(image, item));
        }
    }

    /**
     * After an engine opened on the opening or watcher thread: true (and the lease closed) when the slot closed
     * meanwhile. Then nothing more is built for it (no session, buffers or batcher threads): {@link #close} may have
     * stopped waiting for this thread, and its task may be gone with its class loader.
     */
    private boolean closedMeanwhile(SharedEngines.Lease lease) {
        if (!isClosed()) {
            return false;
        }
        lease.close();
        return true;
    }

    private boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    /** Images waiting for the first model to open. */
    int waiting() {
        synchronized (lock) {
            return waiting == null ? 0 : waiting.size();
        }
    }

    /** The model this slot switched to through the watch; empty while it runs the configured one. */
    Optional<AcceptedModel> accepted() {
        return Optional.ofNullable(accepted);
    }

    /** On the watcher's thread: a new state of the watched candidate. Loads and checks it, then switches to it. */
    private void consider(Path candidate) {
        String sha;
        try {
            sha = FileDigest.sha256(candidate);
        } catch (IOException e) {
            refuse(candidate, "?", "it cannot be read: " + e);
            return;
        }
        ModelGeneration<T> running;
        synchronized (lock) {
            running = current;
        }
        if (sha.equals(running.fileSha256()) || running.fileSha256() == null && sha.equals(running.modelSha256())) {
            return; // the model running already
        }
        LOG.info("model.watch: {} loading {} (sha256 {}) beside {}", name, candidate, sha, running.modelName());
        ModelGeneration<T> next;
        try {
            next = open(candidate, sha, running);
        } catch (RuntimeException | Error e) { // an Error too (JavaCPP out of memory): refused, and the watcher lives
            refuse(candidate, sha, e.getMessage() == null ? e.toString() : e.getMessage());
            return;
        }
        ModelGeneration<T> old;
        synchronized (lock) {
            if (closed) {
                next.close();
                return;
            }
            old = current;
            current = next;
            old.retire();
            retired.add(old);
            accepted = new AcceptedModel(candidate.toString(), sha, System.currentTimeMillis());
        }
        metrics.swaps.inc();
        metrics.active(next.modelName(), next.modelSha256());
        LOG.info("model.watch: {} switched from {} (sha256 {}) to {} (sha256 {}); the old model finishes the images it has",
                name, old.modelName(), old.modelSha256(), next.modelName(), next.modelSha256());
        closeWhenDrained(old);
    }

    /**
     * Opens and checks a candidate: it loads (on TensorRT: its plan builds), takes the running model's input size,
     * and runs one image. Throws, with the reason, when it cannot be used.
     */
    private ModelGeneration<T> open(Path candidate, String sha, ModelGeneration<T> running) {
        SharedEngines.Lease lease = SharedEngines.instance().acquire(spec.withModelPath(candidate.toString()), sha);
        if (closedMeanwhile(lease)) { // no probe for a closed slot (refuse() says nothing then)
            throw new IllegalStateException(name + " is closed");
        }
        EngineInfo was = running.predictor().session().info();
        EngineInfo info = lease.engine().info();
        if (info.inputWidth() != was.inputWidth() || info.inputHeight() != was.inputHeight()) {
            lease.close();
            throw new IllegalArgumentException("its input is " + info.inputWidth() + "x" + info.inputHeight()
                    + ", the running model's " + was.inputWidth() + "x" + was.inputHeight());
        }
        try (Predictor probe = new Predictor(lease.engine(), settings.predictor())) {
            Prediction p = probe.predict(List.of(PROBE_IMAGE)).get(0);
            if (!p.ok()) {
                throw new IllegalStateException("a test image failed: " + p.error().getMessage());
            }
        } catch (RuntimeException | Error e) {
            lease.close();
            throw e;
        }
        return new ModelGeneration<>(lease, settings, sha, listener, name);
    }

    private void refuse(Path candidate, String sha, String reason) {
        ModelGeneration<T> running;
        synchronized (lock) {
            if (closed) {
                return; // interrupted by close(), not the candidate's fault
            }
            running = current;
        }
        metrics.refused.inc();
        LOG.warn("model.watch: {} refused {} (sha256 {}): {}; it keeps running {} (sha256 {})", name, candidate, sha,
                reason, running.modelName(), running.modelSha256());
    }

    /** Waits, on the watcher's thread, until the replaced model has given every image its outcome, then closes it. */
    private void closeWhenDrained(ModelGeneration<T> old) {
        try {
            while (!old.drained()) {
                Thread.sleep(DRAIN_POLL_MILLIS);
            }
        } catch (InterruptedException e) { // closing: close() closes it
            Thread.currentThread().interrupt();
            return;
        }
        synchronized (lock) {
            if (!retired.remove(old)) {
                return; // close() has it
            }
        }
        old.close();
    }

    /**
     * GPU memory the slot's engine sessions and GPU input batches hold, over the current model and any older one
     * still finishing its images (0 on the CPU); for the {@code gpuMemoryBytes} gauge.
     */
    long deviceMemoryBytes() {
        synchronized (lock) {
            long bytes = current == null ? 0 : current.predictor().deviceMemoryBytes();
            for (ModelGeneration<T> old : retired) {
                bytes += old.predictor().deviceMemoryBytes();
            }
            return bytes;
        }
    }

    /**
     * How long {@link #close} waits for a model still opening: the first one, or a watched candidate. Their threads
     * must not outlive the task: once a job's last task on a TaskManager ends, Flink closes the job's class loader,
     * and ONNX Runtime's JNI code, asked to describe the session it just created, then crashed the TaskManager, most
     * likely finding no class (SIGSEGV in OrtSession.getInputInfo; seen in 4 of 18 CI runs of the reprocess chaos
     * test, on a TaskManager whose batch task finished while its engine opened). An ONNX model or a TensorRT plan
     * opens in seconds; a plan build (minutes) is not waited for.
     */
    static final Duration OPEN_GRACE = Duration.ofSeconds(30);
    private Duration openGrace = OPEN_GRACE;

    /** For tests: how long {@link #close} waits for an opening (default {@link #OPEN_GRACE}). */
    void openGrace(Duration grace) {
        this.openGrace = grace;
    }

    /**
     * Stops watching and closes every generation (see {@link ModelGeneration#close}). Images still waiting for
     * the first model get no outcome (the job replays them); a model still opening, the first or a watched
     * candidate, is closed by its thread once open, and this waits for that up to {@link #OPEN_GRACE} (a TensorRT
     * plan build is not interrupted).
     */
    @Override
    public void close() {
        List<ModelGeneration<T>> all;
        ModelWatcher stopping;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            all = new ArrayList<>(retired);
            if (current != null) {
                all.add(current);
            }
            retired.clear();
            stopping = watcher;
        }
        List<Thread> opening = new ArrayList<>(List.of(opener));
        if (stopping != null) {
            stopping.close();
            opening.add(stopping.thread());
        }
        all.forEach(ModelGeneration::close);
        if (!ThreadJoins.join(openGrace, opening)) {
            LOG.warn("{} still opens a model {} ms after its task closed; the engine is closed once open, and nothing "
                    + "more is built for the slot", name, openGrace.toMillis());
        }
    }

    /** A small grey PNG: the image a candidate must run before it gets real ones. */
    private static final byte[] PROBE_IMAGE = greyPng();

    private static byte[] greyPng() {
        BufferedImage image = new BufferedImage(64, 48, BufferedImage.TYPE_3BYTE_BGR);
        java.awt.Graphics2D g = image.createGraphics();
        g.setColor(new java.awt.Color(114, 114, 114));
        g.fillRect(0, 0, 64, 48);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }
}
