package io.streamdetect.engine.onnxruntime;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.streamdetect.engine.EngineException;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps ONNX Runtime runs out of the JVM's exit. On SIGTERM (a TaskManager stopped, a job killed by `timeout`) the
 * JVM runs its shutdown hooks and then exits the process, which runs ONNX Runtime's C++ static destructors; a
 * daemon thread still inside {@code OrtSession.run} then crashes in libonnxruntime.so (SIGSEGV, an hs_err file:
 * {@code ShutdownWhileRunningTest} reproduced it in 1 of a few stops). This guard's shutdown hook stops new runs, asks the
 * running ones to end through their {@link OrtSession.RunOptions} (ONNX Runtime checks the flag between nodes), and
 * waits for them, so that no thread is inside ONNX Runtime when the process exits.
 *
 * <p>One per class loader. Its hook is registered while an ONNX Runtime engine is open and removed when the last one
 * closes: a hook left registered would keep the job's class loader, and every class it loaded, alive after the job
 * ends (a leak per job submitted to a session cluster).
 */
final class ShutdownGuard {
    private static final Logger LOG = LoggerFactory.getLogger(ShutdownGuard.class);
    /** How long the hook waits for running batches to stop; a terminated run ends within one node. */
    static final long WAIT_MILLIS = 5_000;
    private static final ShutdownGuard INSTANCE = new ShutdownGuard();

    private final Object lock = new Object();
    private final Set<OrtSession.RunOptions> running = new HashSet<>(); // guarded by lock
    private final Thread hook = new Thread(this::stopRuns, "streamdetect-onnxruntime-shutdown");
    private int openEngines; // guarded by lock
    private boolean exiting; // guarded by lock

    private ShutdownGuard() {}

    static ShutdownGuard instance() {
        return INSTANCE;
    }

    /** An engine opened: runs may start from now on, so the hook must be in place. */
    void engineOpened() {
        synchronized (lock) {
            if (openEngines++ == 0 && !exiting) {
                Runtime.getRuntime().addShutdownHook(hook);
            }
        }
    }

    /** An engine closed (its runs have all returned); the last one takes the hook away. */
    void engineClosed() {
        synchronized (lock) {
            if (--openEngines == 0 && !exiting) {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException e) {
                    // the JVM is shutting down already: the hook runs (or ran) and finds no run
                }
            }
        }
    }

    /** Whether the hook is registered: while an engine is open. For tests. */
    boolean hooked() {
        synchronized (lock) {
            return openEngines > 0 && !exiting;
        }
    }

    /**
     * Enters a run made with {@code options} (one run at a time per options object); call {@link #exit} after it.
     *
     * @throws EngineException when the JVM is shutting down: the run must not start
     */
    void enter(OrtSession.RunOptions options) {
        synchronized (lock) {
            if (exiting) {
                throw new EngineException("ONNX Runtime run refused: the JVM is shutting down");
            }
            running.add(options);
        }
    }

    /** The run made with {@code options} has returned. */
    void exit(OrtSession.RunOptions options) {
        synchronized (lock) {
            running.remove(options);
            lock.notifyAll();
        }
    }

    /** Whether a run that just failed was stopped by the JVM's shutdown rather than by its own fault. */
    boolean exiting() {
        synchronized (lock) {
            return exiting;
        }
    }

    /** The shutdown hook: no new runs, the running ones told to stop, then a bounded wait for them. */
    private void stopRuns() {
        synchronized (lock) {
            exiting = true;
            for (OrtSession.RunOptions options : running) {
                try {
                    options.setTerminate(true);
                } catch (OrtException e) {
                    LOG.warn("could not ask an ONNX Runtime run to stop: {}", e.getMessage());
                }
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
            try {
                while (!running.isEmpty()) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) {
                        LOG.warn("{} ONNX Runtime run(s) still going {} ms into the JVM's shutdown", running.size(),
                                WAIT_MILLIS);
                        return;
                    }
                    lock.wait(left);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
