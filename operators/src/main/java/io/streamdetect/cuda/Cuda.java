package io.streamdetect.cuda;

import static org.bytedeco.cuda.global.cudart.*;

import io.streamdetect.engine.EngineException;
import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * The CUDA runtime and driver calls the GPU stages need (TensorRT engine, GPU pre-processing), each checked: a
 * failure becomes an exception with CUDA's message.
 */
public final class Cuda {
    private Cuda() {}

    public static void check(int status, String what) {
        if (status != cudaSuccess) {
            throw new EngineException(what + " failed: " + cudaGetErrorString(status).getString() + " (CUDA error " + status + ")");
        }
    }

    /** Checks a driver API call ({@code cu*}): those return CUresult, whose codes and messages differ from the runtime's. */
    public static void checkDriver(int status, String what) {
        if (status != CUDA_SUCCESS) {
            String message;
            try (PointerPointer<BytePointer> text = new PointerPointer<>(1)) {
                message = cuGetErrorString(status, text) == CUDA_SUCCESS && text.get() != null
                        ? new BytePointer(text.get()).getString() : "unknown";
            }
            throw new EngineException(what + " failed: " + message + " (CUresult " + status + ")");
        }
    }

    /** Makes {@code device} current on this thread (cheap; the context must exist, see {@link #useDevice}). */
    public static void setDevice(int device) {
        check(cudaSetDevice(device), "cudaSetDevice(" + device + ")");
    }

    /** Makes {@code device} current on this thread, creating its primary context if needed (driver calls need one). */
    public static void useDevice(int device) {
        check(cudaSetDevice(device), "cudaSetDevice(" + device + ")");
        check(cudaFree(null), "creating the CUDA context of device " + device);
    }

    /** Loads the CUDA runtime bindings; false (never an error) where the natives or driver are missing. */
    public static boolean load() {
        try {
            Loader.load(org.bytedeco.cuda.global.cudart.class);
            return true;
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
            return false;
        }
    }

    public static int deviceCount() {
        int[] count = {0};
        return cudaGetDeviceCount(count) == cudaSuccess ? count[0] : 0;
    }

    /**
     * Bytes of {@code device}'s memory in use, by every process (total − free, as nvidia-smi counts it); -1 where
     * CUDA cannot be loaded or no such device is visible. Creates this process's context on the device if needed.
     */
    public static long memoryInUse(int device) {
        if (!load() || device >= deviceCount()) {
            return -1;
        }
        useDevice(device);
        try (org.bytedeco.javacpp.SizeTPointer free = new org.bytedeco.javacpp.SizeTPointer(1);
             org.bytedeco.javacpp.SizeTPointer total = new org.bytedeco.javacpp.SizeTPointer(1)) {
            check(cudaMemGetInfo(free, total), "cudaMemGetInfo");
            return total.get() - free.get();
        }
    }

    public static GpuInfo device(int device) {
        try (cudaDeviceProp p = new cudaDeviceProp()) {
            check(cudaGetDeviceProperties(p, device), "cudaGetDeviceProperties(" + device + ")");
            return new GpuInfo(device, p.name().getString().trim(), p.major() + "." + p.minor(), p.totalGlobalMem());
        }
    }

    /** Device memory of {@code bytes}; free with {@link #free}. */
    public static Pointer malloc(long bytes, String what) {
        Pointer p = new Pointer();
        check(cudaMalloc(p, bytes), "cudaMalloc " + bytes + " bytes for " + what);
        return p;
    }

    public static void free(Pointer devicePointer) {
        if (devicePointer != null && !devicePointer.isNull()) {
            cudaFree(devicePointer);
            devicePointer.setNull();
        }
    }

    /** Pinned (page-locked) host memory of {@code floats} floats: fast, asynchronous copies. Free with {@link #freeHost}. */
    public static FloatPointer mallocHost(long floats, String what) {
        FloatPointer p = new FloatPointer();
        check(cudaMallocHost(p, floats * Float.BYTES), "cudaMallocHost " + floats * Float.BYTES + " bytes for " + what);
        p.capacity(floats).limit(floats);
        return p;
    }

    /**
     * A pointer to an address computed here (a slot of a buffer, a device address): JavaCPP adds a pointer's
     * position in units that depend on the parameter type it is passed as, so offsets are applied to the address
     * instead and the position stays 0.
     */
    public static Pointer at(long target) {
        // not named "address": inside the subclass that name is Pointer's field, not this parameter
        return new Pointer() {
            {
                this.address = target;
            }
        };
    }

    /** Pinned host memory of {@code bytes} bytes; free with {@link #freeHost}. */
    public static BytePointer mallocHostBytes(long bytes, String what) {
        BytePointer p = new BytePointer();
        check(cudaMallocHost(p, bytes), "cudaMallocHost " + bytes + " bytes for " + what);
        p.capacity(bytes).limit(bytes);
        return p;
    }

    public static void freeHost(Pointer hostPointer) {
        if (hostPointer != null && !hostPointer.isNull()) {
            cudaFreeHost(hostPointer);
            hostPointer.setNull();
        }
    }
}
