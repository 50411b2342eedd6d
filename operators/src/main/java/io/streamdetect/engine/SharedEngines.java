package io.streamdetect.engine;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One engine per {@link EngineSpec} per JVM (per job class loader), shared by the task slots that ask for it:
 * a model is loaded, or a TensorRT plan deserialized, once per TaskManager, not once per slot. Reference
 * counted; the last {@link Lease#close()} closes the engine.
 */
public final class SharedEngines {
    private static final Logger LOG = LoggerFactory.getLogger(SharedEngines.class);
    private static final SharedEngines INSTANCE = new SharedEngines(Engines::open);

    private final Function<EngineSpec, InferenceEngine> opener;
    private final Map<EngineSpec, Entry> engines = new HashMap<>();

    SharedEngines(Function<EngineSpec, InferenceEngine> opener) {
        this.opener = opener;
    }

    public static SharedEngines instance() {
        return INSTANCE;
    }

    /** The engine for {@code spec}, opened on first use. Close the lease when done. */
    public synchronized Lease acquire(EngineSpec spec) {
        Entry entry = engines.get(spec);
        if (entry == null) {
            entry = new Entry(opener.apply(spec));
            engines.put(spec, entry);
            LOG.info("opened {} engine for {}", entry.engine.info().backend().label(), spec.modelPath());
        }
        entry.users++;
        return new Lease(spec, entry.engine);
    }

    /** How many leases are open on the engine for {@code spec}; 0 when it is closed. */
    public synchronized int users(EngineSpec spec) {
        Entry entry = engines.get(spec);
        return entry == null ? 0 : entry.users;
    }

    private synchronized void release(EngineSpec spec) {
        Entry entry = engines.get(spec);
        if (entry != null && --entry.users == 0) {
            engines.remove(spec);
            entry.engine.close();
            LOG.info("closed engine for {}", spec.modelPath());
        }
    }

    private static final class Entry {
        final InferenceEngine engine;
        int users;

        Entry(InferenceEngine engine) {
            this.engine = engine;
        }
    }

    /** A counted reference to a shared engine. */
    public final class Lease implements AutoCloseable {
        private final EngineSpec spec;
        private final InferenceEngine engine;
        private boolean closed;

        private Lease(EngineSpec spec, InferenceEngine engine) {
            this.spec = spec;
            this.engine = engine;
        }

        public InferenceEngine engine() {
            return engine;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                release(spec);
            }
        }
    }
}
