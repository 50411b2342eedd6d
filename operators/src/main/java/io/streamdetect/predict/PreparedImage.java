package io.streamdetect.predict;

import io.streamdetect.preprocess.Letterbox;

/**
 * An image ready for its batch slot: what post-processing needs to map boxes back, and with GPU
 * pre-processing the JPEG still to be decoded on the GPU.
 *
 * @param letterbox       geometry from the original frame to the model input
 * @param preprocessNanos time spent on the CPU decoding and letterboxing (or reading the header)
 * @param gpuJpeg         the JPEG the GPU decodes into the slot; null when the slot was filled on the CPU
 */
public record PreparedImage(Letterbox letterbox, long preprocessNanos, byte[] gpuJpeg) {

    public PreparedImage(Letterbox letterbox, long preprocessNanos) {
        this(letterbox, preprocessNanos, null);
    }

    public int width() {
        return letterbox.sourceWidth();
    }

    public int height() {
        return letterbox.sourceHeight();
    }
}
