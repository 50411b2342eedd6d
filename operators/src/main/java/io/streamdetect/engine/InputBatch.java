package io.streamdetect.engine;

import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Native memory for a batch of pre-processed images, NCHW float. The one owner of that memory: {@link #close}
 * frees it (through the pointer's deallocator, which for TensorRT is cudaFreeHost).
 */
public final class InputBatch implements AutoCloseable {
    private final FloatPointer memory;
    private final FloatBuffer floats;
    private final int maxImages;
    private final int imageSize;

    public InputBatch(FloatPointer memory, int maxImages, int imageSize) {
        long needed = (long) maxImages * imageSize;
        if (memory.capacity() < needed) {
            throw new IllegalArgumentException("input memory holds " + memory.capacity() + " floats, need " + needed);
        }
        this.memory = memory;
        this.floats = memory.asBuffer();
        this.maxImages = maxImages;
        this.imageSize = imageSize;
    }

    /** Allocates ordinary native memory for {@code maxImages} images of {@code imageSize} floats. */
    public static InputBatch allocate(int maxImages, int imageSize) {
        return new InputBatch(new FloatPointer((long) maxImages * imageSize), maxImages, imageSize);
    }

    /** The whole batch as a direct buffer; image {@code i} starts at {@code i * imageSize()}. */
    public FloatBuffer floats() {
        return floats;
    }

    public FloatPointer pointer() {
        return memory;
    }

    public int maxImages() {
        return maxImages;
    }

    public int imageSize() {
        return imageSize;
    }

    @Override
    public void close() {
        memory.close();
    }
}
