package io.streamdetect.engine;

import io.streamdetect.cuda.Cuda;
import org.bytedeco.javacpp.Pointer;

/**
 * One engine input batch in GPU memory ({@code capacity} NCHW float images), written by GPU pre-processing and
 * read by {@link DeviceInput#runOnDevice}. Several circulate per session so that the next batch is decoded
 * while the current one runs. Owns the allocation; {@link #close()} frees it.
 */
public final class DeviceBatch implements AutoCloseable {
    private final Pointer memory;
    private final int capacity;
    private final long imageBytes;

    public DeviceBatch(int capacity, long imageBytes) {
        this.capacity = capacity;
        this.imageBytes = imageBytes;
        this.memory = Cuda.malloc(capacity * imageBytes, "input batch on the GPU");
    }

    /** Device address of image {@code slot}. */
    public long slotAddress(int slot) {
        if (slot < 0 || slot >= capacity) {
            throw new IndexOutOfBoundsException("slot " + slot + " outside 0.." + (capacity - 1));
        }
        return memory.address() + slot * imageBytes;
    }

    public long imageBytes() {
        return imageBytes;
    }

    public int capacity() {
        return capacity;
    }

    /** The batch's device memory, for an engine to read. */
    public Pointer pointer() {
        return memory;
    }

    @Override
    public void close() {
        Cuda.free(memory);
    }
}
