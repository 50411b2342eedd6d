package io.streamdetect.engine.tensorrt;

import static org.bytedeco.cuda.global.cudart.*;

import io.streamdetect.engine.EngineException;
import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;

/** The few CUDA runtime calls the TensorRT backend needs, each checked: a failure becomes an exception with CUDA's message. */
final class Cuda {
    private Cuda() {}

    static void check(int status, String what) {
        if (status != cudaSuccess) {
            throw new EngineException(what + " failed: " + cudaGetErrorString(status).getString() + " (CUDA error " + status + ")");
        }
    }

    /** Loads the CUDA runtime bindings; false (never an error) where the natives or driver are missing. */
    static boolean load() {
        try {
            Loader.load(org.bytedeco.cuda.global.cudart.class);
            return true;
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
            return false;
        }
    }

    static int deviceCount() {
        int[] count = {0};
        return cudaGetDeviceCount(count) == cudaSuccess ? count[0] : 0;
    }

    static GpuInfo device(int device) {
        try (cudaDeviceProp p = new cudaDeviceProp()) {
            check(cudaGetDeviceProperties(p, device), "cudaGetDeviceProperties(" + device + ")");
            return new GpuInfo(device, p.name().getString().trim(), p.major() + "." + p.minor(), p.totalGlobalMem());
        }
    }

    /** Device memory of {@code bytes}; free with {@link #free}. */
    static Pointer malloc(long bytes, String what) {
        Pointer p = new Pointer();
        check(cudaMalloc(p, bytes), "cudaMalloc " + bytes + " bytes for " + what);
        return p;
    }

    static void free(Pointer devicePointer) {
        if (devicePointer != null && !devicePointer.isNull()) {
            cudaFree(devicePointer);
            devicePointer.setNull();
        }
    }

    /** Pinned (page-locked) host memory of {@code floats} floats: fast, asynchronous copies. Free with {@link #freeHost}. */
    static FloatPointer mallocHost(long floats, String what) {
        FloatPointer p = new FloatPointer();
        check(cudaMallocHost(p, floats * Float.BYTES), "cudaMallocHost " + floats * Float.BYTES + " bytes for " + what);
        p.capacity(floats).limit(floats);
        return p;
    }

    static void freeHost(Pointer hostPointer) {
        if (hostPointer != null && !hostPointer.isNull()) {
            cudaFreeHost(hostPointer);
            hostPointer.setNull();
        }
    }
}
