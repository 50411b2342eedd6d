package io.streamdetect.preprocess.gpu;

/**
 * One JPEG decoded by nvJPEG into device memory as separate component planes: Y at full size, Cb and Cr at their
 * subsampled size ({@code 2^chromaShiftX} × {@code 2^chromaShiftY} pixels per chroma sample). Grey images have
 * only the Y plane that matters; their chroma planes are there because nvJPEG is handed three.
 *
 * @param planeAddresses device addresses of Y, Cb, Cr; rows are {@code width} (Y) or {@code chromaWidth} bytes apart
 */
record DecodedPlanes(long[] planeAddresses, Layout layout) {

    long plane(int component) {
        return planeAddresses[component];
    }

    int pitch(int component) {
        return component == 0 ? layout.width() : layout.chromaWidth();
    }

    /** Plane sizes of one image, before it has device memory. */
    record Layout(int width, int height, int chromaWidth, int chromaHeight, int chromaShiftX, int chromaShiftY,
                  boolean grey) {

        static Layout grey(int width, int height) {
            // full-size chroma planes: nvJPEG may fill them with neutral chroma, and must not write past them
            return new Layout(width, height, width, height, 0, 0, true);
        }

        static Layout colour(int width, int height, int chromaWidth, int chromaHeight, int shiftX, int shiftY) {
            return new Layout(width, height, chromaWidth, chromaHeight, shiftX, shiftY, false);
        }

        /** Device bytes for all three planes, each starting on a 256-byte boundary. */
        long bytes() {
            return align((long) width * height) + 2 * align((long) chromaWidth * chromaHeight);
        }

        DecodedPlanes at(long address) {
            long cb = address + align((long) width * height);
            long cr = cb + align((long) chromaWidth * chromaHeight);
            return new DecodedPlanes(new long[] {address, cb, cr}, this);
        }

        private static long align(long bytes) {
            return (bytes + 255) & ~255L;
        }
    }
}
