package io.streamdetect.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.engine.Backend;
import io.streamdetect.engine.EngineSpec;
import io.streamdetect.engine.Engines;
import io.streamdetect.engine.tensorrt.PlanKey;
import io.streamdetect.flink.DetectionOptions;
import io.streamdetect.model.OnnxModelFile;
import io.streamdetect.postprocess.PostprocessConfig;
import io.streamdetect.testing.SharedFiles;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * Issue 14: with every setting at its default, {@code export} builds the plan the streaming job and {@code predict}
 * look up on TensorRT: the NMS part of the plan's key (the rest of it does not depend on NMS) is the same for all
 * three, for a classic head (EfficientNMS with the default thresholds) and an end-to-end one (none). CPU-only: the
 * resolution reads the model's header, not the GPU.
 */
class NmsAutoAgreementTest {

    @ParameterizedTest
    @ValueSource(strings = {"yolo11n.onnx", "yolo26n.onnx"})
    void exportPredictAndTheStreamingJobResolveNmsAutoToTheSamePlan(String file) {
        Path model = file.equals("yolo11n.onnx") ? SharedFiles.model() : SharedFiles.exportedModel(file);

        ExportCommand export = CommandLine.populateCommand(new ExportCommand(), "-m", model.toString());
        PostprocessConfig exported = export.planNms(OnnxModelFile.read(model).head());

        PredictCommand predict = CommandLine.populateCommand(new PredictCommand(), "-m", model.toString(),
                "--backend", "tensorrt", "--precision", "fp16", "--max-batch", "64", "image.jpg");
        EngineSpec predicted = Engines.resolveNms(predict.detection.apply(predict.engine.spec()), Backend.TENSORRT);

        Configuration config = new Configuration();
        config.set(DetectionOptions.MODEL, model.toString());
        config.set(DetectionOptions.BACKEND, "tensorrt");
        config.set(DetectionOptions.PRECISION, "fp16");
        config.set(DetectionOptions.MAX_BATCH_SIZE, 64);
        EngineSpec streamed = Engines.resolveNms(DetectionOptions.builder(config).build().settings().engine(),
                Backend.TENSORRT);

        String expected = file.equals("yolo11n.onnx") ? "efficientnms-conf0.25-iou0.7-max300" : PlanKey.NO_NMS;
        assertThat(PlanKey.nmsOf(exported)).isEqualTo(expected);
        assertThat(PlanKey.nmsOf(predicted.engineNms())).isEqualTo(expected);
        assertThat(PlanKey.nmsOf(streamed.engineNms())).isEqualTo(expected);
    }
}
