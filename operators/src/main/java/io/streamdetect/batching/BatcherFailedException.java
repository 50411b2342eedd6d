package io.streamdetect.batching;

/**
 * A {@link MicroBatcher} cannot process images any more (its engine failed or is stuck, a thread died) or is too
 * far behind to: not the images' fault, so the caller fails its job, which restarts from its last checkpoint and
 * processes them again, instead of reporting them as dead letters.
 */
public final class BatcherFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BatcherFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
