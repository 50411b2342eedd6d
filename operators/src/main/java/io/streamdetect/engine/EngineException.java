package io.streamdetect.engine;

/** The inference backend failed, or could not be set up (missing GPU, incompatible plan, native error). */
public class EngineException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EngineException(String message) {
        super(message);
    }

    public EngineException(String message, Throwable cause) {
        super(message, cause);
    }
}
