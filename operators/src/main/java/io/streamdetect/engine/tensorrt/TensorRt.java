package io.streamdetect.engine.tensorrt;

import static org.bytedeco.tensorrt.global.nvinfer.getInferLibVersion;
import static org.bytedeco.tensorrt.global.nvinfer_plugin.initLibNvInferPlugins;

import io.streamdetect.cuda.Cuda;
import io.streamdetect.cuda.GpuInfo;
import io.streamdetect.engine.EngineException;
import org.bytedeco.javacpp.Loader;

/** Whether TensorRT can run here, and which version it is. */
public final class TensorRt {
    private static volatile Boolean available;

    private TensorRt() {}

    /** True when the CUDA and TensorRT natives load and a CUDA device is visible. Never throws. */
    public static boolean available() {
        if (available == null) {
            boolean ok = false;
            try {
                ok = Cuda.load() && Cuda.deviceCount() > 0;
                if (ok) {
                    Loader.load(org.bytedeco.tensorrt.global.nvinfer.class);
                    Loader.load(org.bytedeco.tensorrt.global.nvonnxparser.class);
                    Loader.load(org.bytedeco.tensorrt.global.nvinfer_plugin.class);
                    // registers EfficientNMS_TRT and TensorRT's other plugins: plans with NMS need them to build and load
                    initLibNvInferPlugins(TensorRtLogger.INSTANCE, "");
                }
            } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
                ok = false;
            }
            available = ok;
        }
        return available;
    }

    /** Throws a message that says what is missing and what to do instead. */
    public static void require() {
        if (!Cuda.load()) {
            throw new EngineException("TensorRT backend: the CUDA runtime cannot be loaded. On a GPU machine build with "
                    + "-Pgpu (bundles the TensorRT/CUDA natives) and install the NVIDIA driver; elsewhere use --backend onnxruntime");
        }
        if (Cuda.deviceCount() == 0) {
            throw new EngineException("TensorRT backend: no CUDA GPU is visible to this process "
                    + "(driver missing or CUDA_VISIBLE_DEVICES empty); use --backend onnxruntime");
        }
        if (!available()) {
            throw new EngineException("TensorRT backend: the TensorRT natives cannot be loaded; build with -Pgpu, or put "
                    + "libnvinfer 10.6 on LD_LIBRARY_PATH");
        }
    }

    /** Name, compute capability and memory of a CUDA device. */
    public static GpuInfo gpu(int device) {
        require();
        return Cuda.device(device);
    }

    /** e.g. "10.6.0". */
    public static String version() {
        int v = getInferLibVersion();
        return (v / 10000) + "." + (v / 100 % 100) + "." + (v % 100);
    }
}
