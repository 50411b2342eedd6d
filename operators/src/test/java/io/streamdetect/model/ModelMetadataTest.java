package io.streamdetect.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdetect.testing.OnnxModelWriter;
import io.streamdetect.testing.SharedFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelMetadataTest {

    @Test
    void readsUltralyticsMetadataFromTheRealModel() {
        OnnxModelFile model = OnnxModelFile.read(SharedFiles.model());
        ModelMetadata meta = model.metadata();
        assertThat(meta.classCount()).isEqualTo(80);
        assertThat(meta.names()).startsWith("person", "bicycle", "car").endsWith("toothbrush");
        assertThat(meta.className(5)).isEqualTo("bus");
        assertThat(meta.inputWidth()).isEqualTo(640);
        assertThat(meta.inputHeight()).isEqualTo(640);
        assertThat(meta.stride()).isEqualTo(32);
        assertThat(meta.task()).isEqualTo("detect");
        assertThat(model.sha256()).isEqualTo("1d94fcf43602088aa6693f78f088a1a11350f4711b66dbf5e44475a012f2b77d");
        assertThat(model.name()).isEqualTo("yolo11n");
    }

    @Test
    void parsesPythonDictNamesWithQuotesAndOtherImageSizes(@TempDir Path dir) throws Exception {
        Path file = OnnxModelWriter.identity(dir.resolve("custom.onnx"), new long[] {1, 3, 320, 480}, Map.of(
                "names", "{0: 'forklift', 1: \"children's book\", 2: 'pallet \\'A\\''}",
                "imgsz", "[320, 480]", "stride", "32", "task", "detect"));
        ModelMetadata meta = OnnxModelFile.read(file).metadata();
        assertThat(meta.names()).containsExactly("forklift", "children's book", "pallet 'A'");
        assertThat(meta.inputHeight()).isEqualTo(320);
        assertThat(meta.inputWidth()).isEqualTo(480);
        assertThat(meta.className(7)).isEqualTo("class7");
    }

    @Test
    void reportsBadMetadataAndNonModels(@TempDir Path dir) throws Exception {
        Path gaps = OnnxModelWriter.identity(dir.resolve("gaps.onnx"), new long[] {1, 3, 8, 8},
                Map.of("names", "{0: 'a', 2: 'c'}"));
        assertThatThrownBy(() -> OnnxModelFile.read(gaps)).isInstanceOf(ModelException.class)
                .hasMessageContaining("without gaps");
        Path badSize = OnnxModelWriter.identity(dir.resolve("size.onnx"), new long[] {1, 3, 8, 8},
                Map.of("imgsz", "[big, 640]"));
        assertThatThrownBy(() -> OnnxModelFile.read(badSize)).hasMessageContaining("imgsz is not an integer");
        Path text = Files.writeString(dir.resolve("notes.onnx"), "this is not a model\n");
        assertThatThrownBy(() -> OnnxModelFile.read(text)).isInstanceOf(ModelException.class)
                .hasMessageContaining("notes.onnx");
        assertThatThrownBy(() -> OnnxModelFile.read(dir.resolve("missing.onnx"))).isInstanceOf(ModelException.class)
                .hasMessageContaining("model file not found");
        assertThatThrownBy(() -> OnnxModelFile.read(dir)).hasMessageContaining("is a directory");
    }
}
