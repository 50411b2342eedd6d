package io.streamdetect.batching;

/**
 * How many images of a full batch the CPU decode pool takes while nvJPEG decodes the rest, with GPU pre-processing.
 *
 * <p>Why: a saturated slot is bound by its GPU decode, not by the engine. On an H200 the prepare thread spent 9.0-9.3 ms
 * per batch of 63 in nvJPEG and the letterbox kernel, against 8.3 ms for the engine's run beside it, and the streaming
 * job ran at 0.77-0.79x of compute-only (docs/benchmarks.md, session 10). Meanwhile the TaskManager's other cores
 * were mostly idle. Each image the CPU decodes shortens the GPU's part of the batch; the CPU's images decode in
 * parallel, one per pool thread, starting as the batch gathers, and only need to be ready by the time the GPU's part
 * is submitted.
 *
 * <p>How many: found batch by batch, because it depends on the host's cores, what else runs on them (post-processing
 * shares the pool, Kafka and Flink the cores) and the images' sizes. After each batch, the share grows by one image
 * when the prepare thread did not wait for the CPU's images, and shrinks by {@link #BACK_OFF} when it did wait
 * longer than {@link #LATE_NANOS}: it settles where the CPU's images are ready just in time, and backs off quickly
 * when they no longer are. At most {@code maxImages}: one image per pool thread but one (a second image on a thread
 * doubles the CPU's time), and half a batch. Used by the prepare thread only: not thread-safe.
 */
final class CpuDecodeShare {
    /** A wait for the CPU's images longer than this means the share was too large (a wake-up costs ~0.05 ms). */
    static final long LATE_NANOS = 250_000;
    /** Images the share drops after a late batch: faster down than up, so a late share does not last. */
    static final int BACK_OFF = 2;
    /** Full batches a share of zero lasts before one image is tried again: the CPU may have become free. */
    static final int PROBE_AFTER = 32;

    private final int maxImages;
    private int images;
    private long batches;
    private volatile long imagesAssisted; // read by metrics and tests
    private long lateBatches;
    private int batchesWithoutShare;

    /** A share of at most {@code maxImages} per batch; 0 turns the assist off. */
    CpuDecodeShare(int maxImages) {
        this.maxImages = Math.max(0, maxImages);
        this.images = Math.min(1, this.maxImages);
    }

    /**
     * The share for a slot: off without GPU pre-processing, without a pool (one thread decodes everything anyway) or
     * when {@code enabled} is false.
     */
    static CpuDecodeShare forBatcher(boolean enabled, boolean gpuPreprocessing, int poolThreads, int batchSize) {
        if (!enabled || !gpuPreprocessing || poolThreads < 2) {
            return new CpuDecodeShare(0);
        }
        return new CpuDecodeShare(Math.min(poolThreads - 1, batchSize / 2));
    }

    /** Images of the next full batch to decode on the CPU. */
    int imagesForNextBatch() {
        return images;
    }

    /**
     * After each full batch, which had {@code assisted} CPU images (the share asked for, or fewer where the batch had
     * fewer JPEGs for the GPU): the prepare thread waited {@code waitNanos} for them.
     */
    void batchUploaded(int assisted, long waitNanos) {
        if (!enabled()) {
            return;
        }
        if (assisted == 0) {
            if (images == 0 && ++batchesWithoutShare >= PROBE_AFTER) {
                batchesWithoutShare = 0;
                images = 1;
            }
            return;
        }
        batches++;
        imagesAssisted += assisted;
        if (waitNanos > LATE_NANOS) {
            lateBatches++;
            images = Math.max(0, images - BACK_OFF);
        } else {
            images = Math.min(maxImages, images + 1);
        }
    }

    /** CPU images so far; safe from any thread. */
    long imagesAssisted() {
        return imagesAssisted;
    }

    boolean enabled() {
        return maxImages > 0;
    }

    /** One line for the slot's closing log. */
    String summary() {
        if (batches == 0) {
            return "CPU decode assist: " + (enabled() ? "no full batch" : "off");
        }
        return String.format(java.util.Locale.ROOT, "CPU decode assist: %d images in %d full batches (%.1f per batch, up "
                + "to %d), %d batches waited for them, share now %d", imagesAssisted, batches,
                (double) imagesAssisted / batches, maxImages, lateBatches, images);
    }
}
