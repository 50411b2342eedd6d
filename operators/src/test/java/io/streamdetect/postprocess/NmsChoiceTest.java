package io.streamdetect.postprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdetect.engine.Backend;
import io.streamdetect.engine.EngineSpec;
import io.streamdetect.engine.Engines;
import io.streamdetect.engine.Precision;
import io.streamdetect.flink.DetectionOptions;
import io.streamdetect.model.DetectionHead;
import io.streamdetect.testing.SharedFiles;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/**
 * Issue 14: {@code nms=auto} puts NMS into the plan for TensorRT with a classic head and leaves it to the host
 * otherwise, resolved by the one rule every command and job uses (on real model files: only their headers are read,
 * so this runs without a GPU).
 */
class NmsChoiceTest {
    private static final PostprocessConfig THRESHOLDS = new PostprocessConfig(0.3f, 0.6f, 100);

    @Test
    void autoIsTheEngineForTensorRtWithAClassicHeadAndTheHostOtherwise() {
        assertThat(NmsChoice.resolve(NmsPlacement.AUTO, Backend.TENSORRT, DetectionHead.CLASSIC).chosen())
                .isEqualTo(NmsPlacement.ENGINE);
        assertThat(NmsChoice.resolve(NmsPlacement.AUTO, Backend.ONNXRUNTIME, DetectionHead.CLASSIC).describe())
                .isEqualTo("host (auto: the onnxruntime engine has no NMS of its own)");
        assertThat(NmsChoice.resolve(NmsPlacement.AUTO, Backend.TENSORRT, DetectionHead.END_TO_END).describe())
                .startsWith("host (auto: the end-to-end head");
        assertThat(NmsChoice.resolve(NmsPlacement.HOST, Backend.TENSORRT, DetectionHead.CLASSIC).chosen())
                .isEqualTo(NmsPlacement.HOST);
        assertThat(NmsChoice.resolve(NmsPlacement.ENGINE, Backend.ONNXRUNTIME, DetectionHead.CLASSIC).chosen())
                .as("explicit: ONNX Runtime ignores it, as before").isEqualTo(NmsPlacement.ENGINE);
        assertThatThrownBy(() -> NmsChoice.resolve(NmsPlacement.AUTO, Backend.AUTO, DetectionHead.CLASSIC))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NmsPlacement.parse("gpu")).hasMessageContaining("auto, host or engine");
    }

    @Test
    void enginesResolveAutoOnTheModelFileSoTheSpecCarriesThePlansNms() {
        EngineSpec yolo11 = spec(SharedFiles.model()).withNms(NmsPlacement.AUTO, THRESHOLDS);
        EngineSpec onTensorRt = Engines.resolveNms(yolo11, Backend.TENSORRT);
        assertThat(onTensorRt.nms()).isEqualTo(NmsPlacement.ENGINE);
        assertThat(onTensorRt.engineNms()).isEqualTo(THRESHOLDS);
        assertThat(onTensorRt).isEqualTo(spec(SharedFiles.model()).withEngineNms(THRESHOLDS))
                .as("the same spec (and so the same shared engine and plan) as nms=engine");

        EngineSpec onOnnxRuntime = Engines.resolveNms(yolo11, Backend.ONNXRUNTIME);
        assertThat(onOnnxRuntime.nms()).isEqualTo(NmsPlacement.HOST);
        assertThat(onOnnxRuntime.engineNms()).isNull();

        EngineSpec yolo26 = spec(SharedFiles.exportedModel("yolo26n.onnx")).withNms(NmsPlacement.AUTO, THRESHOLDS);
        assertThat(Engines.resolveNms(yolo26, Backend.TENSORRT).engineNms()).as("end-to-end: no NMS").isNull();

        EngineSpec explicit = spec(SharedFiles.model()).withNms(NmsPlacement.HOST, THRESHOLDS);
        assertThat(explicit.engineNms()).isNull();
        assertThat(Engines.resolveNms(explicit, Backend.TENSORRT)).isEqualTo(explicit);
    }

    @Test
    void theStreamingJobAsksForAutoByDefaultWithItsThresholds() {
        Configuration config = new Configuration();
        config.set(DetectionOptions.MODEL, SharedFiles.model().toString());
        EngineSpec byDefault = DetectionOptions.builder(config).build().settings().engine();
        assertThat(byDefault.nms()).isEqualTo(NmsPlacement.AUTO);
        assertThat(byDefault.engineNms()).isEqualTo(PostprocessConfig.DEFAULT);

        config.set(DetectionOptions.NMS, "host");
        assertThat(DetectionOptions.builder(config).build().settings().engine().nms()).isEqualTo(NmsPlacement.HOST);
        config.set(DetectionOptions.NMS, "nowhere");
        assertThatThrownBy(() -> DetectionOptions.builder(config)).hasMessageContaining("'nms'")
                .hasMessageContaining("auto, host or engine");
    }

    @Test
    void hostNmsTakesNoThresholdsAndEngineNmsNeedsThem() {
        EngineSpec spec = spec(SharedFiles.model());
        assertThat(spec.nms()).isEqualTo(NmsPlacement.HOST);
        assertThatThrownBy(() -> new EngineSpec(spec.modelPath(), Backend.TENSORRT, Precision.FP16, 8, 0, null,
                EngineSpec.DEFAULT_DEVICE, null, NmsPlacement.AUTO)).hasMessageContaining("needs");
        assertThatThrownBy(() -> new EngineSpec(spec.modelPath(), Backend.TENSORRT, Precision.FP16, 8, 0, null,
                EngineSpec.DEFAULT_DEVICE, THRESHOLDS, NmsPlacement.HOST)).hasMessageContaining("takes no");
    }

    private static EngineSpec spec(Path model) {
        return new EngineSpec(model.toString(), Backend.TENSORRT, Precision.FP16, 64, 0);
    }
}
