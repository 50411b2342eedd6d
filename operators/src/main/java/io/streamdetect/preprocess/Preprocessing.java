package io.streamdetect.preprocess;

import java.util.Locale;

/** Where images are decoded and letterboxed. */
public enum Preprocessing {
    /**
     * GPU where it can run (a TensorRT engine, whose sessions take input in GPU memory, and nvJPEG loads), CPU
     * everywhere else. Resolved when the predictor is created ({@link PreprocessingChoice}).
     */
    AUTO,
    /** OpenCV on the CPU, into host memory that is copied to the engine: every backend, every image format. */
    CPU,
    /**
     * nvJPEG and a CUDA kernel, straight into the engine's input on the GPU (TensorRT only): only compressed
     * bytes cross PCIe. Images the GPU path does not take (PNG, progressive JPEG, ...) use the CPU path.
     */
    GPU;

    public static Preprocessing parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown pre-processing '" + text + "': use auto, cpu or gpu");
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
