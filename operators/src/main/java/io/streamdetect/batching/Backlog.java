package io.streamdetect.batching;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a slot does with an image whose timeout finds it {@link Lateness.Verdict#BEHIND}, waiting its turn while the
 * engine keeps running batches: it looks at the image again a timeout later (until the image is done, or the batcher
 * is found stuck or failed), and says so in the log at most once a minute, with the settings that shorten the wait.
 * A CPU slot at {@code batch.max-size} 64 holds 512 images by default, more than two cores detect in a 30 s timeout:
 * failing the job there, as before, replayed the same backlog after each restart and nothing was ever committed.
 * Thread-safe.
 */
public final class Backlog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Backlog.class);
    private static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final String slot;
    private final Duration timeout;
    private final AtomicLong lastWarningNanos = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);
    private final LongAdder timeoutsWhileBehind = new LongAdder();
    private volatile boolean closed;

    public Backlog(String slot, Duration timeout) {
        this.slot = slot;
        this.timeout = timeout;
    }

    /** Runs {@code lookAgain} (on another thread) a timeout from now, unless this is closed by then. */
    public void lookAgainLater(Runnable lookAgain) {
        timeoutsWhileBehind.increment();
        long now = System.nanoTime();
        long last = lastWarningNanos.get();
        if (now - last >= WARN_EVERY_NANOS && lastWarningNanos.compareAndSet(last, now)) {
            LOG.warn("{}: images wait longer than `timeout` ({} ms) behind others while the engine keeps running "
                    + "batches ({} timeouts so far); they wait on. For shorter waits lower `capacity` or "
                    + "`batch.max-size`, or raise `timeout`", slot, timeout.toMillis(), timeoutsWhileBehind.sum());
        }
        CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            if (!closed) {
                lookAgain.run();
            }
        });
    }

    /** Timeouts that found their image behind others so far (an image can count more than once); for a gauge. */
    public long timeoutsWhileBehind() {
        return timeoutsWhileBehind.sum();
    }

    /** No more looks: the slot is closing, its images get no outcome from here (the job replays them). */
    @Override
    public void close() {
        closed = true;
    }
}
