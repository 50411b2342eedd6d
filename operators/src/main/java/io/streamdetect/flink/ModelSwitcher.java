package io.streamdetect.flink;

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
    private final Object lock = new Object();
    private ModelGeneration<T> current; // guarded by lock
    private final List<ModelGeneration<T>> retired = new ArrayList<>(); // guarded by lock
    private boolean closed; // guarded by lock
    private volatile AcceptedModel accepted;
    private final ModelWatcher watcher;

    /** A submitted image and the generation that holds it (whose batcher its timeout must ask). */
    record Placed<T>(ModelGeneration<T> generation, MicroBatcher.Ticket ticket) {}

    /**
     * Opens the slot on {@code restored} when it is given and its file still holds the bytes that were accepted,
     * else on {@code spec}'s model, then starts watching when {@code settings.modelWatch()} is set.
     */
    ModelSwitcher(DetectionSettings settings, EngineSpec spec, AcceptedModel restored, ModelGeneration.Listener<T> listener,
                  String name, ModelSwapMetrics metrics) {
        this.settings = settings;
        this.spec = spec;
        this.listener = listener;
        this.name = name;
        this.metrics = metrics;
        ModelWatch watch = settings.modelWatch();
        current = watch == null || restored == null ? null : reopen(restored);
        if (current == null) {
            // with a watch, the file's own hash: an .engine file's model hash is its source ONNX's, which the
            // watcher would take for another model and "swap" to the very file running
            current = new ModelGeneration<>(SharedEngines.instance().acquire(spec), settings,
                    watch == null ? null : fileHashOrNull(spec.model()), listener, name);
        }
        metrics.active(current.modelName(), current.modelSha256());
        watcher = watch == null ? null : new ModelWatcher(watch, name + "-model-watch", this::consider).start();
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
        Path path = Path.of(restored.path());
        try {
            String sha = Files.exists(path) ? FileDigest.sha256(path) : null;
            if (!restored.fileSha256().equals(sha)) {
                LOG.warn("model.watch: {} accepted before the restart, but {}; starting on {}", path,
                        sha == null ? "it is gone" : "it has changed since", spec.modelPath());
                return null;
            }
            ModelGeneration<T> generation = new ModelGeneration<>(
                    SharedEngines.instance().acquire(spec.withModelPath(path.toString()), sha), settings, sha, listener, name);
            accepted = restored;
            LOG.info("model.watch: {} restored on {} (sha256 {}), the model accepted before the restart", name, path,
                    generation.modelSha256());
            return generation;
        } catch (IOException | RuntimeException e) {
            LOG.warn("model.watch: cannot reopen {}, accepted before the restart ({}); starting on {}", path, e,
                    spec.modelPath());
            return null;
        }
    }

    /** Queues an image on the current model. */
    Placed<T> submit(byte[] image, T item) {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException(name + " is closed");
            }
            ModelGeneration<T> generation = current;
            return new Placed<>(generation, generation.submit(image, item));
        }
    }

    /** Where the current model's predictor decodes and letterboxes. */
    io.streamdetect.preprocess.Preprocessing preprocessing() {
        synchronized (lock) {
            return current.predictor().preprocessing();
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
        } catch (RuntimeException | LinkageError e) {
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
        } catch (RuntimeException | LinkageError e) {
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

    /** Stops watching and closes every generation (see {@link ModelGeneration#close}). */
    @Override
    public void close() {
        List<ModelGeneration<T>> all;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            all = new ArrayList<>(retired);
            all.add(current);
            retired.clear();
        }
        if (watcher != null) {
            watcher.close();
        }
        all.forEach(ModelGeneration::close);
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
