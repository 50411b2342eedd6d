package io.streamdetect.testing;

import io.streamdetect.engine.EngineInfo;
import io.streamdetect.engine.EngineSession;
import io.streamdetect.engine.InferenceEngine;
import io.streamdetect.engine.InputBatch;
import io.streamdetect.model.OnnxModelFile;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real engine, with each run going through a {@link Run} the test scripts (slow, failing, throwing an
 * {@link Error}) and input buffers whose freeing is recorded, so that tests can tell whether memory was freed
 * while a run still used it. Closing it leaves the real engine open (the test class owns that).
 */
public final class ScriptedEngine implements InferenceEngine {

    /** One engine run, given the real run to delegate to. */
    @FunctionalInterface
    public interface Run {
        FloatBuffer run(RealRun real, InputBatch input, int batchSize);
    }

    /** The real engine's run, except that a run on a freed input buffer is counted and refused, not a crash. */
    @FunctionalInterface
    public interface RealRun {
        FloatBuffer run(InputBatch input, int batchSize);
    }

    private final InferenceEngine delegate;
    private final Run script;
    /** Input buffers created so far, in order; each knows whether it was freed. */
    public final List<TrackedBatch> inputBatches = new CopyOnWriteArrayList<>();
    /** Runs that found their input buffer freed under them: must stay 0. */
    public final AtomicInteger runsOnFreedMemory = new AtomicInteger();
    /** Fail the n-th newInputBatch (1-based); 0: never. */
    public volatile int failInputBatchNumber;

    public ScriptedEngine(InferenceEngine delegate, Run script) {
        this.delegate = delegate;
        this.script = script;
    }

    @Override
    public EngineInfo info() {
        return delegate.info();
    }

    @Override
    public OnnxModelFile model() {
        return delegate.model();
    }

    @Override
    public EngineSession openSession() {
        EngineSession real = delegate.openSession();
        return new EngineSession() {
            @Override
            public EngineInfo info() {
                return real.info();
            }

            @Override
            public InputBatch newInputBatch() {
                if (inputBatches.size() + 1 == failInputBatchNumber) {
                    throw new OutOfMemoryError("scripted: no memory for input batch " + failInputBatchNumber);
                }
                TrackedBatch tracked = new TrackedBatch(real.newInputBatch());
                inputBatches.add(tracked);
                return tracked.batch;
            }

            @Override
            public FloatBuffer run(InputBatch input, int batchSize) {
                return script.run(this::runIfNotFreed, input, batchSize);
            }

            private FloatBuffer runIfNotFreed(InputBatch input, int batchSize) {
                if (inputBatches.stream().anyMatch(t -> t.batch == input && t.freed)) {
                    runsOnFreedMemory.incrementAndGet();
                    throw new IllegalStateException("the input buffer was freed under this run");
                }
                return real.run(input, batchSize);
            }

            @Override
            public void close() {
                real.close();
            }
        };
    }

    @Override
    public void close() {
        // the real engine is closed by its owner
    }

    /** An input buffer that records when it is freed (and really frees it). */
    public static final class TrackedBatch {
        public final InputBatch batch;
        public volatile boolean freed;

        TrackedBatch(InputBatch real) {
            this.batch = new InputBatch(real.pointer(), real.maxImages(), real.imageSize(), () -> {
                freed = true;
                real.close();
            });
        }
    }

    /** Sleeps, then runs for real: a slow GPU or a large CPU batch. */
    public static Run slow(long millis) {
        return (real, input, n) -> {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return real.run(input, n);
        };
    }
}
