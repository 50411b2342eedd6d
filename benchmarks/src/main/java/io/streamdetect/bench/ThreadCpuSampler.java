package io.streamdetect.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads every thread's CPU time ({@link ThreadCpu}) every {@code periodMillis} while a job runs, so that the span that
 * matters (a streaming job's steady window, known only from its output afterwards) can be cut out later: which
 * threads were busy in it, and how busy. A thread at nearly 100% of the span is what the job waited for.
 */
final class ThreadCpuSampler implements AutoCloseable {
    /** A reading and when it was taken, in epoch milliseconds (the clock Flink's processing time uses). */
    record Sample(long epochMillis, ThreadCpu cpu) {}

    /** The threads' CPU over a span of {@code wallNanos} between two readings. */
    record Span(long wallNanos, List<ThreadCpu.Busy> busiest) {}

    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    ThreadCpuSampler(long periodMillis) {
        take();
        thread = new Thread(() -> {
            while (running) {
                try {
                    Thread.sleep(periodMillis);
                } catch (InterruptedException e) {
                    return;
                }
                take();
            }
        }, "thread-cpu-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void take() {
        Sample s = new Sample(System.currentTimeMillis(), ThreadCpu.now());
        synchronized (samples) {
            samples.add(s);
        }
    }

    /**
     * The {@code n} busiest threads between the last reading at or before {@code fromMillis} and the first at or
     * after {@code toMillis} (so the span covers the window; the nearest readings where none lies outside it).
     */
    Span busiest(long fromMillis, long toMillis, int n) {
        List<Sample> all;
        synchronized (samples) {
            all = List.copyOf(samples);
        }
        return busiest(all, fromMillis, toMillis, n);
    }

    static Span busiest(List<Sample> samples, long fromMillis, long toMillis, int n) {
        Sample from = samples.get(0);
        Sample to = samples.get(samples.size() - 1);
        for (Sample s : samples) {
            if (s.epochMillis() <= fromMillis) {
                from = s;
            }
        }
        for (int i = samples.size() - 1; i >= 0; i--) {
            if (samples.get(i).epochMillis() >= toMillis) {
                to = samples.get(i);
            }
        }
        return new Span((to.epochMillis() - from.epochMillis()) * 1_000_000L, to.cpu().busiest(from.cpu(), n));
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join();
        take();
    }
}
