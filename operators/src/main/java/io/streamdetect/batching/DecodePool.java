package io.streamdetect.batching;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CPU decode threads of a TaskManager, shared by its slots: one pool per JVM (per job class loader), sized by
 * the first slot that asks, reference counted, and shut down when the last slot lets go, so that no thread (and no
 * class loader it pins) outlives the job. Slots submit one task per image; a slot whose batch is full waits for
 * its own images only.
 */
public final class DecodePool {
    private static final Logger LOG = LoggerFactory.getLogger(DecodePool.class);
    private static DecodePool shared;
    private static int users;

    private final ThreadPoolExecutor executor;
    private final int threads;

    private DecodePool(int threads) {
        this.threads = threads;
        AtomicInteger n = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "streamdetect-decode-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** The shared pool, created with {@code threads} threads by its first user; release it when done. */
    public static synchronized DecodePool acquire(int threads) {
        if (shared == null) {
            shared = new DecodePool(threads);
            LOG.info("CPU decode pool of {} threads, shared by this TaskManager's slots", threads);
        } else if (shared.threads != threads) {
            LOG.info("CPU decode pool already has {} threads; {} asked for", shared.threads, threads);
        }
        users++;
        turnOffOpenCvThreads();
        return shared;
    }

    /**
     * OpenCV's own thread pool, which {@code cv::resize} spreads each image over, is turned off for this JVM: the
     * decode pool already runs one image per core, and OpenCV's pool takes one job at a time (the other threads'
     * resizes run serially meanwhile) while its workers spin. JMH, coco8 decode + letterbox on every core of a
     * 2-core machine: 499 img/s with OpenCV's pool, 623 without (docs/benchmarks.md). The result is the same bit
     * for bit: resize computes each row alike on whatever thread.
     */
    private static void turnOffOpenCvThreads() {
        try {
            org.bytedeco.opencv.global.opencv_core.setNumThreads(1);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) { // no OpenCV natives: nothing to decode with anyway
            LOG.debug("OpenCV threads left as they are: {}", e.toString());
        }
    }

    public static synchronized void release(DecodePool pool) {
        if (pool == shared && --users == 0) {
            shared = null;
            pool.executor.shutdown();
        }
    }

    public ExecutorService executor() {
        return executor;
    }

    /** Takes {@code task} (from {@link #executor()}) off the queue if no thread has started it: true if it never runs. */
    boolean unstarted(java.util.concurrent.Future<?> task) {
        return task instanceof Runnable r && executor.remove(r);
    }

    public int threads() {
        return threads;
    }
}
