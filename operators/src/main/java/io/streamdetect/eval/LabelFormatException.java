package io.streamdetect.eval;

/** A YOLO label file line that cannot be read; the message names the file and line. */
public class LabelFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public LabelFormatException(String message) {
        super(message);
    }
}
