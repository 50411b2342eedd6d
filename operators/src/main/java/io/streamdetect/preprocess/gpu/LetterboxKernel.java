package io.streamdetect.preprocess.gpu;

import static org.bytedeco.cuda.global.cudart.cuLaunchKernel;
import static org.bytedeco.cuda.global.cudart.cuModuleGetFunction;
import static org.bytedeco.cuda.global.cudart.cuModuleLoadData;
import static org.bytedeco.cuda.global.cudart.cuModuleUnload;
import static org.bytedeco.cuda.global.nvrtc.*;

import io.streamdetect.cuda.Cuda;
import io.streamdetect.engine.EngineException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.nvrtc._nvrtcProgram;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * The letterbox kernel ({@code letterbox.cu}): compiled once per JVM with NVRTC to PTX for a low virtual
 * architecture, so the driver JIT-compiles it for whatever GPU is present, and loaded as a module into the
 * current device's context. Owns that module; {@link #close()} unloads it.
 */
final class LetterboxKernel implements AutoCloseable {
    /** PTX for compute_75 runs on every GPU TensorRT 10 supports (Turing and later) after the driver's JIT. */
    static final String ARCHITECTURE = "compute_75";
    private static final int BLOCK_X = 32;
    private static final int BLOCK_Y = 8;
    private static volatile byte[] ptx;

    private final CUmod_st module = new CUmod_st();
    private final CUfunc_st function = new CUfunc_st();
    // cuLaunchKernel takes a pointer to each argument's value: these hold the values, args points at them
    private final LongPointer jobsArg = new LongPointer(1);
    private final IntPointer widthArg = new IntPointer(1);
    private final IntPointer heightArg = new IntPointer(1);
    private final PointerPointer<Pointer> args = new PointerPointer<>(3);

    /** Loads the kernel into the context current on this thread (see {@link Cuda#useDevice}). */
    LetterboxKernel() {
        try (BytePointer image = new BytePointer(ptx())) {
            Cuda.checkDriver(cuModuleLoadData(module, image), "loading the letterbox kernel");
        }
        try {
            Cuda.checkDriver(cuModuleGetFunction(function, module, "letterbox"), "finding the letterbox kernel");
        } catch (RuntimeException e) { // the module is loaded: unload it, the caller never gets this to close
            close();
            throw e;
        }
        // letterbox(jobs, outWidth, outHeight)
        args.put(0, jobsArg).put(1, widthArg).put(2, heightArg);
    }

    /**
     * Queues on {@code stream}: letterbox {@code count} images described by the job table at device address
     * {@code jobs} (see {@link LetterboxJobs}), each into its {@code outWidth × outHeight} NCHW float slot.
     */
    void launch(long jobs, int count, int outWidth, int outHeight, CUstream_st stream) {
        jobsArg.put(0, jobs);
        widthArg.put(0, outWidth);
        heightArg.put(0, outHeight);
        Cuda.checkDriver(cuLaunchKernel(function, (outWidth + BLOCK_X - 1) / BLOCK_X, (outHeight + BLOCK_Y - 1) / BLOCK_Y,
                count, BLOCK_X, BLOCK_Y, 1, 0, stream, args, null), "launching the letterbox kernel");
    }

    @Override
    public void close() {
        if (!module.isNull()) {
            cuModuleUnload(module);
            module.setNull();
        }
        jobsArg.close();
        widthArg.close();
        heightArg.close();
        args.close();
    }

    /** The kernel's PTX, compiled on first use. NVRTC needs no GPU, so this also runs where none is present. */
    static byte[] ptx() {
        byte[] compiled = ptx;
        if (compiled == null) {
            synchronized (LetterboxKernel.class) {
                if (ptx == null) {
                    ptx = compile(source());
                }
                compiled = ptx;
            }
        }
        return compiled;
    }

    static String source() {
        try (InputStream in = LetterboxKernel.class.getResourceAsStream("letterbox.cu")) {
            if (in == null) {
                throw new IllegalStateException("letterbox.cu is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read letterbox.cu", e);
        }
    }

    private static byte[] compile(String source) {
        _nvrtcProgram program = new _nvrtcProgram();
        checkNvrtc(nvrtcCreateProgram(program, new BytePointer(source), new BytePointer("letterbox.cu"), 0,
                (PointerPointer<?>) null, (PointerPointer<?>) null), "nvrtcCreateProgram");
        // no fused multiply-adds: the source coordinates must round as OpenCV's (host, non-FMA) arithmetic does
        try (PointerPointer<BytePointer> options = new PointerPointer<>("--gpu-architecture=" + ARCHITECTURE,
                "--std=c++14", "--fmad=false")) {
            int status = nvrtcCompileProgram(program, 3, options);
            if (status != NVRTC_SUCCESS) {
                throw new EngineException("NVRTC cannot compile letterbox.cu: " + nvrtcGetErrorString(status).getString()
                        + "\n" + log(program));
            }
            try (SizeTPointer size = new SizeTPointer(1)) {
                checkNvrtc(nvrtcGetPTXSize(program, size), "nvrtcGetPTXSize");
                try (BytePointer text = new BytePointer(size.get())) {
                    checkNvrtc(nvrtcGetPTX(program, text), "nvrtcGetPTX");
                    byte[] bytes = new byte[(int) size.get()]; // NUL-terminated, as cuModuleLoadData wants
                    text.get(bytes);
                    return bytes;
                }
            }
        } finally {
            nvrtcDestroyProgram(program);
        }
    }

    private static String log(_nvrtcProgram program) {
        try (SizeTPointer size = new SizeTPointer(1)) {
            if (nvrtcGetProgramLogSize(program, size) != NVRTC_SUCCESS || size.get() <= 1) {
                return "";
            }
            try (BytePointer text = new BytePointer(size.get())) {
                nvrtcGetProgramLog(program, text);
                return text.getString();
            }
        }
    }

    private static void checkNvrtc(int status, String what) {
        if (status != NVRTC_SUCCESS) {
            throw new EngineException(what + " failed: " + nvrtcGetErrorString(status).getString());
        }
    }
}
