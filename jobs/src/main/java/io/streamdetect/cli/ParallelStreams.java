package io.streamdetect.cli;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one measurement loop per stream, on its own thread, all at once: every stream opens and warms up its loop,
 * then they start together, run for the same time, and the images they report are summed over the window from
 * the common start to the last stream's end (closing a loop is not measured).
 *
 * <p>A stream that fails, while opening or later, stops the others and the measurement throws. Latches, not
 * barriers: a stream that fails before the caller is waiting must still let it go on, whatever the order the
 * threads get to run in (a reset barrier would leave a late caller waiting for ever).
 */
final class ParallelStreams {
    /** Warm-up iterations per stream before the measured window: first runs allocate and tune. */
    static final int WARM_UP_RUNS = 3;

    /** One stream's work. */
    interface Loop extends AutoCloseable {
        /** Runs one step; returns the images completed by it. */
        int runOnce();

        /** The measured window starts now (after the warm-up), on this stream's thread. */
        default void windowStarts() {}

        /** The measured window has ended (before {@link #close}), on this stream's thread. */
        default void windowEnded() {}

        @Override
        void close();
    }

    /** Opens the loop of stream {@code stream} (0-based), on that stream's thread. */
    interface LoopFactory {
        Loop open(int stream) throws Exception;
    }

    private ParallelStreams() {}

    /** Images per second summed over {@code streams} loops run together for {@code seconds}. */
    static double imagesPerSecond(int streams, double seconds, LoopFactory factory) throws InterruptedException {
        long budget = (long) (seconds * 1e9);
        AtomicLong images = new AtomicLong();
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch warmedUp = new CountDownLatch(streams);
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch measured = new CountDownLatch(streams);
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < streams; s++) {
            int stream = s;
            Thread t = new Thread(() -> {
                boolean warm = false;
                boolean finished = false;
                try (Loop loop = factory.open(stream)) {
                    for (int i = 0; i < WARM_UP_RUNS && errors.isEmpty(); i++) {
                        loop.runOnce();
                    }
                    warmedUp.countDown();
                    warm = true;
                    start.await();
                    loop.windowStarts();
                    long begin = System.nanoTime();
                    while (System.nanoTime() - begin < budget && errors.isEmpty()) {
                        images.addAndGet(loop.runOnce());
                    }
                    loop.windowEnded();
                    measured.countDown();
                    finished = true;
                } catch (Throwable e) {
                    errors.add(e);
                } finally {
                    if (!warm) {
                        warmedUp.countDown();
                    }
                    if (!finished) {
                        measured.countDown();
                    }
                }
            }, "bench-stream-" + s);
            threads.add(t);
            t.start();
        }
        warmedUp.await();
        long begin = System.nanoTime();
        start.countDown();
        measured.await();
        long end = System.nanoTime();
        for (Thread t : threads) {
            t.join();
        }
        if (!errors.isEmpty()) {
            Throwable first = errors.get(0);
            throw new IllegalStateException("a benchmark stream failed: " + first.getMessage(), first);
        }
        return images.get() / ((end - begin) / 1e9);
    }
}
