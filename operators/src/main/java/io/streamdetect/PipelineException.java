package io.streamdetect;

import io.streamdetect.records.ErrorKind;

/**
 * One record could not be processed. Carries the machine-readable {@link ErrorKind} and the {@link Stage}
 * that failed, so that the record can go to the dead-letter output with its reason while the job goes on.
 */
public class PipelineException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorKind kind;
    private final Stage stage;

    public PipelineException(ErrorKind kind, Stage stage, String message) {
        this(kind, stage, message, null);
    }

    public PipelineException(ErrorKind kind, Stage stage, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.stage = stage;
    }

    public ErrorKind kind() {
        return kind;
    }

    public Stage stage() {
        return stage;
    }

    /**
     * True when the image itself is the reason (empty, not an image, truncated, too large, undecodable); false
     * for failures of the engine or the pipeline (inference failed, timed out, unknown), which another run of
     * the same image may not have.
     */
    public boolean imageAtFault() {
        return switch (kind) {
            case EMPTY_IMAGE, UNSUPPORTED_FORMAT, TRUNCATED_IMAGE, IMAGE_TOO_LARGE, DECODE_FAILED, MALFORMED_RECORD -> true;
            default -> false;
        };
    }
}
