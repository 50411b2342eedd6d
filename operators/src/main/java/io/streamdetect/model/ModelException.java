package io.streamdetect.model;

/** A model file that cannot be used: missing, unreadable, or not a YOLO detection model. */
public class ModelException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
