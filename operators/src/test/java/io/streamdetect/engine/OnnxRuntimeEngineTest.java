package io.streamdetect.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdetect.model.ModelException;
import io.streamdetect.testing.OnnxModelWriter;
import io.streamdetect.testing.SharedFiles;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxRuntimeEngineTest {

    @Test
    void declaresShapesFromTheModel() {
        try (InferenceEngine engine = Engines.open(EngineSpec.onnxRuntime(SharedFiles.model(), 2))) {
            EngineInfo info = engine.info();
            assertThat(info.backend()).isEqualTo(Backend.ONNXRUNTIME);
            assertThat(info.inputName()).isEqualTo("images");
            assertThat(info.inputWidth()).isEqualTo(640);
            assertThat(info.outputRows()).isEqualTo(84);
            assertThat(info.outputAnchors()).isEqualTo(8400);
            assertThat(info.maxBatch()).isEqualTo(2);
            try (EngineSession session = engine.openSession(); InputBatch input = session.newInputBatch()) {
                FloatBuffer out = session.run(input, 2);
                assertThat(out.remaining()).isEqualTo(2 * 84 * 8400);
                assertThatThrownBy(() -> session.run(input, 3)).isInstanceOf(IllegalArgumentException.class);
            }
        }
    }

    @Test
    void aModelWithAFixedBatchRunsAtItAndPadsPartialBatches(@TempDir Path dir) throws Exception {
        // batch fixed at 2, 32x32 input reshaped to a classic head of 2 classes: [2, 6, 512], 6 x 512 = 3 x 32 x 32
        Path model = OnnxModelWriter.reshape(dir.resolve("fixed2.onnx"), new long[] {2, 3, 32, 32},
                new long[] {2, 6, 512}, Map.of("names", "{0: 'a', 1: 'b'}", "imgsz", "[32, 32]"));
        try (InferenceEngine engine = Engines.open(EngineSpec.onnxRuntime(model, 8))) {
            EngineInfo info = engine.info();
            assertThat(info.staticBatch()).isTrue();
            assertThat(info.maxBatch()).as("the model's batch, not the 8 asked for").isEqualTo(2);
            assertThat(info.outputSize()).isEqualTo(3 * 32 * 32);
            try (EngineSession session = engine.openSession(); InputBatch input = session.newInputBatch()) {
                for (int i = 0; i < 2 * info.inputSize(); i++) {
                    input.floats().put(i, i % 7);
                }
                FloatBuffer out = session.run(input, 1); // one image: the second slot is padding
                assertThat(out.remaining()).isEqualTo(info.outputSize());
                for (int i = 0; i < info.outputSize(); i++) {
                    assertThat(out.get(i)).isEqualTo(i % 7);
                }
                assertThat(input.floats().get(info.inputSize() + 5)).as("padding is zeroed").isZero();
                assertThat(session.run(input, 2).remaining()).isEqualTo(2 * info.outputSize());
            }
        }
    }

    @Test
    void rejectsModelsWhoseOutputIsNotYolos(@TempDir Path dir) throws Exception {
        Path classifier = OnnxModelWriter.identity(dir.resolve("not-yolo.onnx"), new long[] {-1, 3, 64, 64}, Map.of());
        assertThatThrownBy(() -> Engines.open(EngineSpec.onnxRuntime(classifier, 1)))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("not-yolo.onnx")
                .hasMessageContaining("not YOLO's [batch, 4 + classes, anchors]");
    }

    @Test
    void rejectsOutputsThatDisagreeWithTheClassNames(@TempDir Path dir) throws Exception {
        Path wrong = OnnxModelWriter.identity(dir.resolve("m.onnx"), new long[] {1, 3, 64, 64},
                Map.of("names", "{0: 'a', 1: 'b'}"));
        // rank-4 output is refused before the class count is looked at
        assertThatThrownBy(() -> Engines.open(EngineSpec.onnxRuntime(wrong, 1))).isInstanceOf(ModelException.class);
    }

    @Test
    void missingModelAndUnknownNamesAreClearErrors() {
        assertThatThrownBy(() -> Engines.open(EngineSpec.onnxRuntime(Path.of("nope/yolo.onnx"), 1)))
                .isInstanceOf(ModelException.class).hasMessageContaining("model file not found");
        assertThatThrownBy(() -> Backend.parse("cuda")).hasMessageContaining("auto, onnxruntime, tensorrt");
        assertThatThrownBy(() -> Precision.parse("fp8")).hasMessageContaining("fp32, fp16 or int8");
        assertThat(Backend.parse("ORT")).isEqualTo(Backend.ONNXRUNTIME);
    }
}
