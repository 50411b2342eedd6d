package io.streamdetect.decode;

/** What the header of an encoded image says, read without decoding any pixel. */
public record ImageHeader(ImageFormat format, int width, int height) {

    public long pixels() {
        return (long) width * height;
    }
}
