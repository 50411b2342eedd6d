package io.streamdetect.engine.onnxruntime;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.streamdetect.engine.EngineException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps ONNX Runtime's native calls out of the JVM's exit. On SIGTERM (a TaskManager stopped, a job killed by
 * `timeout`) or Ctrl-C the JVM runs its shutdown hooks and then exits the process, which runs ONNX Runtime's C++
 * static destructors; a daemon thread still inside {@code OrtSession.run} then crashes in libonnxruntime.so (SIGSEGV,
 * an hs_err file: {@code ShutdownWhileRunningTest}'s child crashed on 3 stops of 3 without this guard). This guard's
 * shutdown hook refuses new calls, asks the running runs to end through their {@link OrtSession.RunOptions} (ONNX
 * Runtime checks the flag between nodes), and waits for every call in progress (runs, a session opening or closing),
 * so that no thread is inside ONNX Runtime when the process exits.
 *
 * <p>One per class loader. Its hook is registered while an ONNX Runtime engine is open or opening and removed when the
 * last one closes: a hook left registered would keep the job's class loader, and every class it loaded, alive after
 * the job ends (a leak per job submitted to a session cluster).
 */
final class ShutdownGuard {
    private static final Logger LOG = LoggerFactory.getLogger(ShutdownGuard.class);
    /** How long the hook waits for calls in progress; a terminated run ends within one node. */
    static final long WAIT_MILLIS = 5_000;
    private static final ShutdownGuard INSTANCE = new ShutdownGuard(true);

    private final Object lock = new Object();
    /** Native calls in progress, each with the options that stop it (null: one that cannot be stopped). */
    private final Map<Object, OrtSession.RunOptions> inProgress = new HashMap<>(); // guarded by lock
    private final Thread hook = new Thread(this::stopCalls, "streamdetect-onnxruntime-shutdown");
    private final boolean registersHook;
    private int engines; // open or opening; guarded by lock
    private boolean exiting; // guarded by lock

    /** @param registersHook false for tests, which call {@link #stopCalls} themselves */
    ShutdownGuard(boolean registersHook) {
        this.registersHook = registersHook;
    }

    static ShutdownGuard instance() {
        return INSTANCE;
    }

    /**
     * An engine starts opening: registers the hook if it is the first, and enters the opening as a call in progress.
     * End it with {@link #endOpen}.
     *
     * @return the opening, to hand to {@link #endOpen}
     * @throws EngineException when the JVM is shutting down: the engine must not open
     */
    Object beginOpen() {
        Object opening = new Object();
        synchronized (lock) {
            if (exiting) {
                throw shuttingDown("engine refused");
            }
            if (engines == 0 && registersHook) {
                try {
                    Runtime.getRuntime().addShutdownHook(hook);
                } catch (IllegalStateException e) { // the JVM's shutdown has begun
                    exiting = true;
                    throw shuttingDown("engine refused");
                }
            }
            engines++;
            inProgress.put(opening, null);
        }
        return opening;
    }

    /** The opening {@link #beginOpen} returned has ended: with an open engine, or not ({@code opened} false). */
    void endOpen(Object opening, boolean opened) {
        synchronized (lock) {
            inProgress.remove(opening);
            lock.notifyAll();
            if (!opened) {
                releaseEngine();
            }
        }
    }

    /** An open engine has closed (its runs have all returned); the last one takes the hook away. */
    void engineClosed() {
        synchronized (lock) {
            releaseEngine();
        }
    }

    private void releaseEngine() {
        if (--engines == 0 && !exiting && registersHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down already: the hook runs (or ran) and finds nothing in progress
            }
        }
    }

    /** Whether the hook is registered: while an engine is open or opening. For tests. */
    boolean hooked() {
        synchronized (lock) {
            return engines > 0 && !exiting;
        }
    }

    /**
     * Enters a native call: a run made with {@code options} (one at a time per options object), or, with null
     * options, any other call made with {@code call} as its key. Call {@link #exit} after it.
     *
     * @return false when the JVM is shutting down: the call must not be made
     */
    boolean tryEnter(Object call, OrtSession.RunOptions options) {
        synchronized (lock) {
            if (exiting) {
                return false;
            }
            inProgress.put(call, options);
            return true;
        }
    }

    /**
     * Makes a native call that cannot be stopped (a close), unless the JVM is exiting: then the process's end frees
     * what it would have freed, and the call would race the exit.
     */
    void unlessExiting(Runnable nativeCall) {
        Object call = new Object();
        if (tryEnter(call, null)) {
            try {
                nativeCall.run();
            } finally {
                exit(call);
            }
        }
    }

    /** The call entered with {@code call} has returned. */
    void exit(Object call) {
        synchronized (lock) {
            inProgress.remove(call);
            lock.notifyAll();
        }
    }

    /** Whether a run that just failed was stopped by the JVM's shutdown rather than by its own fault. */
    boolean exiting() {
        synchronized (lock) {
            return exiting;
        }
    }

    static EngineException shuttingDown(String what) {
        return new EngineException("ONNX Runtime " + what + ": the JVM is shutting down");
    }

    /**
     * The shutdown hook: no new calls, the running runs told to stop, then a bounded wait for every call in progress.
     * Returns whether none is left.
     */
    boolean stopCalls() {
        synchronized (lock) {
            exiting = true;
            for (OrtSession.RunOptions options : inProgress.values()) {
                if (options == null) {
                    continue; // an engine opening or closing: waited for, not stoppable
                }
                try {
                    options.setTerminate(true);
                } catch (OrtException | RuntimeException e) { // one failure must not keep the others running
                    LOG.warn("could not ask an ONNX Runtime run to stop: {}", e.toString());
                }
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
            try {
                while (!inProgress.isEmpty()) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) {
                        LOG.warn("{} ONNX Runtime call(s) still in progress {} ms into the JVM's shutdown",
                                inProgress.size(), WAIT_MILLIS);
                        return false;
                    }
                    lock.wait(left);
                }
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}
