package io.streamdetect.batching;

/**
 * Where a {@link MicroBatcher}'s two threads spend their time, batch after batch. Every moment of each thread's life
 * belongs to exactly one of its stages, so per thread the stages add up to the wall time ({@link BatchStageTimes}).
 */
public enum BatchStage {
    /** Prepare thread, no batch open: the queue is empty. */
    WAIT_FOR_IMAGE(Thread.PREPARE, "wait for image"),
    /** Prepare thread, a batch open and its first image in: waiting for a free input buffer (all in use). */
    WAIT_FOR_BUFFER(Thread.PREPARE, "wait for buffer"),
    /**
     * Prepare thread: decode and letterbox on the CPU (or, with GPU pre-processing, the header checks), and waiting
     * for the decode pool's share of the batch.
     */
    DECODE(Thread.PREPARE, "decode"),
    /** Prepare thread, a batch open and the queue empty: waiting for more images as {@code batch.wait} says. */
    WAIT_FOR_COMPANY(Thread.PREPARE, "wait for company"),
    /** Prepare thread, GPU pre-processing: nvJPEG decode and the letterbox kernel of the closed batch. */
    GPU_UPLOAD(Thread.PREPARE, "gpu upload"),
    /** Prepare thread, the batch ready: waiting for the inference thread to take it (one batch waits at most). */
    WAIT_FOR_ENGINE(Thread.PREPARE, "wait for engine"),
    /** Inference thread: no batch ready. */
    WAIT_FOR_BATCH(Thread.INFERENCE, "wait for batch"),
    /**
     * Inference thread, GPU pre-processing: holding the batch until the next batch's decode is submitted (see
     * {@link DecodeFirst}).
     */
    HOLD_FOR_DECODE(Thread.INFERENCE, "hold for decode"),
    /** Inference thread: the engine's run (host-device copies included; a CUDA graph capture on first use too). */
    ENGINE(Thread.INFERENCE, "engine"),
    /** Inference thread: YOLO decode + NMS of the batch's images and the listener callbacks, then the handback. */
    POSTPROCESS(Thread.INFERENCE, "post-process");

    /** The batcher thread a stage belongs to. */
    public enum Thread { PREPARE, INFERENCE }

    private final Thread thread;
    private final String label;

    BatchStage(Thread thread, String label) {
        this.thread = thread;
        this.label = label;
    }

    public Thread thread() {
        return thread;
    }

    public String label() {
        return label;
    }
}
