package io.streamdetect.preprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PreprocessingChoiceTest {
    @Test
    void autoIsGpuOnlyWithGpuInputAndNvJpeg() {
        assertThat(PreprocessingChoice.resolve(Preprocessing.AUTO, "tensorrt", true, () -> true).describe())
                .isEqualTo("gpu (auto: tensorrt engine on the GPU and nvJPEG loads)");
        assertThat(PreprocessingChoice.resolve(Preprocessing.AUTO, "tensorrt", true, () -> false))
                .satisfies(c -> assertThat(c.chosen()).isEqualTo(Preprocessing.CPU))
                .satisfies(c -> assertThat(c.reason()).contains("nvJPEG cannot be loaded"));
    }

    @Test
    void autoOnAHostInputEngineDoesNotTouchNvJpeg() {
        AtomicInteger asked = new AtomicInteger();
        PreprocessingChoice c = PreprocessingChoice.resolve(Preprocessing.AUTO, "onnxruntime", false,
                () -> asked.incrementAndGet() > 0);
        assertThat(c.chosen()).isEqualTo(Preprocessing.CPU);
        assertThat(asked).hasValue(0);
    }

    @Test
    void explicitChoicesAreKept() {
        assertThat(PreprocessingChoice.resolve(Preprocessing.CPU, "tensorrt", true, () -> true).chosen())
                .isEqualTo(Preprocessing.CPU);
        // GPU on an engine without GPU input is refused by the predictor, with how to fix it
        assertThat(PreprocessingChoice.resolve(Preprocessing.GPU, "onnxruntime", false, () -> false).chosen())
                .isEqualTo(Preprocessing.GPU);
    }

    @Test
    void parseNamesTheChoices() {
        assertThat(Preprocessing.parse(" Auto ")).isEqualTo(Preprocessing.AUTO);
        assertThatThrownBy(() -> Preprocessing.parse("tpu")).hasMessage("unknown pre-processing 'tpu': use auto, cpu or gpu");
    }
}
