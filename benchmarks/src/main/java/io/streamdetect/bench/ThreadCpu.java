package io.streamdetect.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * CPU time by thread of this JVM at one moment, the whole process's, and which thread took the reading. Benchmarks
 * that run a MiniCluster in their own JVM take two and subtract: which threads did the work of a span (the task
 * thread, the Kafka fetcher, a slot's batcher threads), and how busy each was.
 */
record ThreadCpu(long readingThread, Map<Long, Long> nanos, Map<Long, String> names, long processNanos) {

    /** One thread's CPU time over a span. */
    record Busy(String name, long cpuNanos) {}

    static ThreadCpu now() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<Long, Long> nanos = new HashMap<>();
        Map<Long, String> names = new HashMap<>();
        for (ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (t != null) {
                nanos.put(t.getThreadId(), mx.getThreadCpuTime(t.getThreadId()));
                names.put(t.getThreadId(), t.getThreadName());
            }
        }
        // the whole process: GC, JIT and native threads too, which the Java threads' times leave out
        long process = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        return new ThreadCpu(Thread.currentThread().getId(), nanos, names, process);
    }

    /** CPU nanoseconds the process used since {@code before}. */
    long processSince(ThreadCpu before) {
        return processNanos - before.processNanos;
    }

    /** CPU nanoseconds used since {@code before} by the threads whose name passes {@code name}. */
    long since(ThreadCpu before, Predicate<String> name) {
        long sum = 0;
        for (Busy b : busySince(before)) {
            if (name.test(b.name())) {
                sum += b.cpuNanos();
            }
        }
        return sum;
    }

    /** CPU nanoseconds the thread that took this reading used since {@code before}. */
    long readingThreadSince(ThreadCpu before) {
        return nanos.getOrDefault(readingThread, 0L) - before.nanos.getOrDefault(readingThread, 0L);
    }

    /**
     * The {@code n} threads that used the most CPU since {@code before}, most first: threads alive at both readings
     * (a thread started in between is left out, its CPU before the first reading being unknown).
     */
    List<Busy> busiest(ThreadCpu before, int n) {
        List<Busy> all = busySince(before);
        all.sort(Comparator.comparingLong(Busy::cpuNanos).reversed());
        return all.subList(0, Math.min(n, all.size()));
    }

    private List<Busy> busySince(ThreadCpu before) {
        List<Busy> busy = new ArrayList<>();
        for (var e : nanos.entrySet()) {
            Long was = before.nanos.get(e.getKey());
            if (was != null && was >= 0 && e.getValue() >= 0) { // -1: the thread ended, or CPU time is not measured
                busy.add(new Busy(names.get(e.getKey()), e.getValue() - was));
            }
        }
        return busy;
    }
}
