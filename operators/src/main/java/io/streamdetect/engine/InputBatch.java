package io.streamdetect.engine;

import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Native memory for a batch of pre-processed images, NCHW float. The one owner of that memory: {@link #close}
 * frees it (free() for ordinary memory, cudaFreeHost for TensorRT's pinned memory).
 */
public final class InputBatch implements AutoCloseable {
    private final FloatPointer memory;
    private final FloatBuffer floats;
    private final int maxImages;
    private final int imageSize;
    private final Runnable free;
    private boolean closed;

    /**
     * @param free releases {@code memory} (cudaFreeHost for pinned memory); called once by {@link #close()}
     */
    public InputBatch(FloatPointer memory, int maxImages, int imageSize, Runnable free) {
        long needed = (long) maxImages * imageSize;
        if (memory.capacity() < needed) {
            throw new IllegalArgumentException("input memory holds " + memory.capacity() + " floats, need " + needed);
        }
        this.memory = memory;
        this.floats = memory.asBuffer();
        this.maxImages = maxImages;
        this.imageSize = imageSize;
        this.free = free;
    }

    /** Allocates ordinary native memory for {@code maxImages} images of {@code imageSize} floats. */
    public static InputBatch allocate(int maxImages, int imageSize) {
        FloatPointer memory = new FloatPointer((long) maxImages * imageSize);
        return new InputBatch(memory, maxImages, imageSize, memory::close);
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
        if (!closed) {
            closed = true;
            free.run();
        }
    }
}
