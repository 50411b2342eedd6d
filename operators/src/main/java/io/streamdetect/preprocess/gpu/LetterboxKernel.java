package io.streamdetect.preprocess.gpu;

import static org.bytedeco.cuda.global.cudart.cuLaunchKernel;
import static org.bytedeco.cuda.global.cudart.cuModuleGetFunction;
import static org.bytedeco.cuda.global.cudart.cuModuleLoadData;
import static org.bytedeco.cuda.global.cudart.cuModuleUnload;
import static org.bytedeco.cuda.global.nvrtc.*;

import io.streamdetect.cuda.Cuda;
import io.streamdetect.engine.EngineException;
import io.streamdetect.preprocess.Letterbox;
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
    private final LongPointer rgbArg = new LongPointer(1);
    private final LongPointer outArg = new LongPointer(1);
    private final IntPointer[] intArgs = new IntPointer[9];
    private final PointerPointer<Pointer> args = new PointerPointer<>(11);

    /** Loads the kernel into the context current on this thread (see {@link Cuda#useDevice}). */
    LetterboxKernel() {
        try (BytePointer image = new BytePointer(ptx())) {
            Cuda.checkDriver(cuModuleLoadData(module, image), "loading the letterbox kernel");
        }
        Cuda.checkDriver(cuModuleGetFunction(function, module, "letterbox"), "finding the letterbox kernel");
        for (int i = 0; i < intArgs.length; i++) {
            intArgs[i] = new IntPointer(1);
        }
        // letterbox(rgb, srcWidth, srcHeight, pitch, out, outWidth, outHeight, resizedWidth, resizedHeight, padLeft, padTop)
        args.put(0, rgbArg);
        args.put(1, intArgs[0]).put(2, intArgs[1]).put(3, intArgs[2]);
        args.put(4, outArg);
        for (int i = 3; i < 9; i++) {
            args.put(2 + i, intArgs[i]);
        }
    }

    /**
     * Queues on {@code stream}: letterbox an interleaved RGB image at device address {@code rgb} into one NCHW
     * float image of {@code box.targetWidth() × box.targetHeight()} at device address {@code out}.
     */
    void launch(long rgb, int pitch, Letterbox box, long out, CUstream_st stream) {
        rgbArg.put(0, rgb);
        outArg.put(0, out);
        int[] values = {box.sourceWidth(), box.sourceHeight(), pitch, box.targetWidth(), box.targetHeight(),
                box.resizedWidth(), box.resizedHeight(), box.padLeft(), box.padTop()};
        for (int i = 0; i < values.length; i++) {
            intArgs[i].put(0, values[i]);
        }
        Cuda.checkDriver(cuLaunchKernel(function, (box.targetWidth() + BLOCK_X - 1) / BLOCK_X,
                (box.targetHeight() + BLOCK_Y - 1) / BLOCK_Y, 1, BLOCK_X, BLOCK_Y, 1, 0, stream, args, null),
                "launching the letterbox kernel");
    }

    @Override
    public void close() {
        if (!module.isNull()) {
            cuModuleUnload(module);
            module.setNull();
        }
        rgbArg.close();
        outArg.close();
        for (IntPointer p : intArgs) {
            if (p != null) {
                p.close();
            }
        }
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
        try (PointerPointer<BytePointer> options = new PointerPointer<>("--gpu-architecture=" + ARCHITECTURE,
                "--std=c++14")) {
            int status = nvrtcCompileProgram(program, 2, options);
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
