package io.streamdetect.swap;

import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A daemon thread that looks at a {@link ModelWatch} path every interval and hands each new state of its
 * candidate ({@link ModelCandidates#newest}) to {@code onChange}, on this thread: loading and checking a model
 * (for TensorRT, building its plan) happen here, while the slot keeps serving with the model it has. A candidate
 * is handed over once per {@link ModelCandidates.Fingerprint}: a refused file is tried again only when it changes.
 */
public final class ModelWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelWatcher.class);

    private final ModelWatch watch;
    private final Consumer<Path> onChange;
    private final Thread thread;
    private volatile boolean closed;
    private ModelCandidates.Fingerprint last;
    private String lastProblem;

    public ModelWatcher(ModelWatch watch, String threadName, Consumer<Path> onChange) {
        this.watch = watch;
        this.onChange = onChange;
        this.thread = new Thread(this::loop, threadName);
        thread.setDaemon(true);
    }

    public ModelWatcher start() {
        thread.start();
        return this;
    }

    private void loop() {
        while (!closed) {
            lookOnce();
            try {
                Thread.sleep(watch.interval().toMillis());
            } catch (InterruptedException e) {
                return; // closed
            }
        }
    }

    /** One look at the watched path (the first one right at start). */
    void lookOnce() {
        try {
            Optional<ModelCandidates.Fingerprint> newest = ModelCandidates.newest(watch.location());
            if (newest.isEmpty()) {
                problem("model.watch: no model at " + watch.path() + " (yet): a model file, or a directory with "
                        + ".onnx/.engine files", false);
                return;
            }
            lastProblem = null;
            if (!newest.get().equals(last)) {
                last = newest.get();
                onChange.accept(last.path());
            }
        } catch (Exception e) { // an unreadable directory, or a bug in onChange: keep watching, keep serving
            problem("model.watch: cannot look at " + watch.path() + ": " + e, true);
        }
    }

    /** Logs a problem once, not at every look. */
    private void problem(String message, boolean warn) {
        if (!message.equals(lastProblem)) {
            if (warn) {
                LOG.warn(message);
            } else {
                LOG.info(message);
            }
            lastProblem = message;
        }
    }

    /**
     * Stops looking; a load in progress finishes on this thread (an engine opening in native code does not stop for
     * an interrupt), whose caller must then drop what it loaded and wait for {@link #thread()}.
     */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }

    /** The thread that looks and loads: after {@link #close}, its owner waits for it to end. */
    public Thread thread() {
        return thread;
    }

    public boolean isClosed() {
        return closed;
    }
}
