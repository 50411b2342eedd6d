package io.streamdetect.predict;

import io.streamdetect.preprocess.Letterbox;

/**
 * An image decoded and letterboxed into a batch slot: what post-processing needs to map boxes back.
 *
 * @param letterbox       geometry from the original frame to the model input
 * @param preprocessNanos time spent decoding and letterboxing
 */
public record PreparedImage(Letterbox letterbox, long preprocessNanos) {

    public int width() {
        return letterbox.sourceWidth();
    }

    public int height() {
        return letterbox.sourceHeight();
    }
}
