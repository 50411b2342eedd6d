package io.streamdetect.engine;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One engine per {@link EngineSpec} per JVM (per job class loader), shared by the task slots that ask for it:
 * a model is loaded, or a TensorRT plan deserialized, once per TaskManager, not once per slot. Reference
 * counted; the last {@link Lease#close()} closes the engine.
 *
 * <p>An engine is opened outside this object's lock (a TensorRT plan build takes minutes): slots asking for the
 * same engine wait for that one opening, while others acquire and release theirs meanwhile.
 */
public final class SharedEngines {
    private static final Logger LOG = LoggerFactory.getLogger(SharedEngines.class);
    /**
     * For tests of what a slow engine open (a TensorRT plan build) does to a job, on machines where opening takes
     * a second: milliseconds every opening of the shared instance waits first. Like an opening in native code, the
     * wait does not stop for an interrupt (the flag is kept for after the opening). Not a setting; unset in
     * production.
     */
    public static final String TEST_OPEN_DELAY_PROPERTY = "streamdetect.test.engine-open-delay-ms";
    private static final SharedEngines INSTANCE = new SharedEngines(spec -> {
        boolean interrupted = sleepThroughInterrupts(Long.getLong(TEST_OPEN_DELAY_PROPERTY, 0));
        try {
            return Engines.open(spec);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    });

    /** Sleeps the whole {@code millis}; returns whether the thread was interrupted meanwhile. */
    private static boolean sleepThroughInterrupts(long millis) {
        boolean interrupted = false;
        for (long end = System.nanoTime() + millis * 1_000_000L, left = millis * 1_000_000L; left > 0;
                left = end - System.nanoTime()) {
            try {
                java.util.concurrent.TimeUnit.NANOSECONDS.sleep(left);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        return interrupted;
    }

    private final Function<EngineSpec, InferenceEngine> opener;
    private final Map<Key, Entry> engines = new HashMap<>();

    SharedEngines(Function<EngineSpec, InferenceEngine> opener) {
        this.opener = opener;
    }

    public static SharedEngines instance() {
        return INSTANCE;
    }

    /** The engine for {@code spec}, opened on first use. Close the lease when done. */
    public Lease acquire(EngineSpec spec) {
        return acquire(spec, null);
    }

    /**
     * As {@link #acquire(EngineSpec)}, for one version of the model file: a file rewritten in place (a watched
     * model, see {@code model.watch}) is another engine than the one opened from its earlier bytes.
     *
     * @param fileSha256 sha256 of the model file's bytes, or null for whatever the path holds
     */
    public Lease acquire(EngineSpec spec, String fileSha256) {
        Key key = new Key(spec, fileSha256);
        Entry entry;
        boolean opensIt;
        synchronized (this) {
            entry = engines.get(key);
            opensIt = entry == null;
            if (opensIt) {
                entry = new Entry();
                engines.put(key, entry);
            }
            entry.users++;
        }
        if (opensIt) {
            try {
                InferenceEngine engine = opener.apply(spec);
                LOG.info("opened {} engine for {}", engine.info().backend().label(), spec.modelPath());
                entry.opened.complete(engine);
            } catch (RuntimeException | Error e) {
                entry.openerInterrupted = Thread.currentThread().isInterrupted();
                entry.opened.completeExceptionally(e);
                synchronized (this) {
                    engines.remove(key, entry); // the next acquire tries again
                }
                throw e;
            }
        }
        try {
            return new Lease(key, entry.opened.join());
        } catch (CompletionException e) { // another slot's opening failed: so does this one
            if (entry.openerInterrupted && !Thread.currentThread().isInterrupted()) {
                // unless it failed because its slot was closing (interrupted: a cancel, or a model watcher
                // stopping), which says nothing of the model: open it here instead (the failed entry is gone,
                // with its count)
                return acquire(spec, fileSha256);
            }
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /** How many leases are open on the engine for {@code spec}; 0 when it is closed. */
    public int users(EngineSpec spec) {
        return users(spec, null);
    }

    /** As {@link #users(EngineSpec)}, for one version of the model file (see {@link #acquire(EngineSpec, String)}). */
    public synchronized int users(EngineSpec spec, String fileSha256) {
        Entry entry = engines.get(new Key(spec, fileSha256));
        return entry == null ? 0 : entry.users;
    }

    private synchronized void release(Key key) {
        Entry entry = engines.get(key);
        if (entry != null && --entry.users == 0) {
            engines.remove(key);
            entry.opened.join().close();
            LOG.info("closed engine for {}", key.spec().modelPath());
        }
    }

    private record Key(EngineSpec spec, String fileSha256) {}

    private static final class Entry {
        final CompletableFuture<InferenceEngine> opened = new CompletableFuture<>();
        int users;
        /** Whether the slot opening it was interrupted when the opening failed; written before {@link #opened}. */
        volatile boolean openerInterrupted;
    }

    /** A counted reference to a shared engine. */
    public final class Lease implements AutoCloseable {
        private final Key key;
        private final InferenceEngine engine;
        private boolean closed;

        private Lease(Key key, InferenceEngine engine) {
            this.key = key;
            this.engine = engine;
        }

        public InferenceEngine engine() {
            return engine;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                release(key);
            }
        }
    }
}
