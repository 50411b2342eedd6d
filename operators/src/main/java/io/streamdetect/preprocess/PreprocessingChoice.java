package io.streamdetect.preprocess;

import java.util.function.BooleanSupplier;

/**
 * Where a predictor pre-processes, and why: {@link Preprocessing#AUTO} resolved against what the engine and
 * this machine offer, so the log can say it ("pre-processing gpu (auto: ...)").
 *
 * @param chosen CPU or GPU, never AUTO
 * @param reason why, in words a user can act on
 */
public record PreprocessingChoice(Preprocessing chosen, String reason) {
    public PreprocessingChoice {
        if (chosen == Preprocessing.AUTO) {
            throw new IllegalArgumentException("a choice is CPU or GPU, not AUTO");
        }
    }

    /**
     * @param requested      what the settings ask for
     * @param engineBackend  the engine's backend label, for the reason
     * @param gpuInput       whether the engine's sessions take their input in GPU memory (TensorRT)
     * @param nvJpegLoads    whether the nvJPEG natives load here; asked only when it matters
     */
    public static PreprocessingChoice resolve(Preprocessing requested, String engineBackend, boolean gpuInput,
                                              BooleanSupplier nvJpegLoads) {
        return switch (requested) {
            case CPU -> new PreprocessingChoice(Preprocessing.CPU, "preprocess=cpu");
            case GPU -> new PreprocessingChoice(Preprocessing.GPU, "preprocess=gpu");
            case AUTO -> {
                if (!gpuInput) {
                    yield new PreprocessingChoice(Preprocessing.CPU,
                            "auto: the " + engineBackend + " engine takes its input in host memory");
                }
                yield nvJpegLoads.getAsBoolean()
                        ? new PreprocessingChoice(Preprocessing.GPU, "auto: " + engineBackend + " engine on the GPU and nvJPEG loads")
                        : new PreprocessingChoice(Preprocessing.CPU, "auto: nvJPEG cannot be loaded (install the "
                                + "CUDA nvJPEG library, or build with -Pgpu)");
            }
        };
    }

    /** e.g. "gpu (auto: tensorrt engine on the GPU and nvJPEG loads)". */
    public String describe() {
        return chosen.label() + " (" + reason + ")";
    }
}
