package io.streamdetect.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdetect.testing.SharedFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class YoloLabelsTest {

    @Test
    void readsCoco8LabelsIntoPixelBoxes() {
        Path root = SharedFiles.coco8();
        Path image = root.resolve("images/val/000000000036.jpg");
        Path labels = YoloLabels.labelFileOf(root, image);
        assertThat(labels).isEqualTo(root.resolve("labels/val/000000000036.txt"));
        var objects = YoloLabels.read(labels, 481, 640, 80);
        assertThat(objects).extracting(GroundTruth::classId).contains(0, 25); // person, umbrella
        assertThat(objects).allSatisfy(g -> {
            assertThat(g.x1()).isBetween(-0.5f, 481f);
            assertThat(g.y2()).isBetween(0f, 640.5f);
        });
    }

    @Test
    void missingFilesAreBackgroundImagesAndBadLinesNameFileAndLine(@TempDir Path dir) throws Exception {
        assertThat(YoloLabels.read(dir.resolve("none.txt"), 10, 10, 80)).isEmpty();
        Path bad = Files.writeString(dir.resolve("a.txt"), "0 0.5 0.5 0.2 0.2\n\n3 0.5 0.5 0.2\n");
        assertThatThrownBy(() -> YoloLabels.read(bad, 10, 10, 80)).isInstanceOf(LabelFormatException.class)
                .hasMessageContaining("a.txt:3").hasMessageContaining("expected 'class cx cy w h'");
        Path text = Files.writeString(dir.resolve("b.txt"), "person 0.5 0.5 0.2 0.2\n");
        assertThatThrownBy(() -> YoloLabels.read(text, 10, 10, 80)).hasMessageContaining("b.txt:1: not a number");
        Path cls = Files.writeString(dir.resolve("c.txt"), "85 0.5 0.5 0.2 0.2\n");
        assertThatThrownBy(() -> YoloLabels.read(cls, 10, 10, 80)).hasMessageContaining("class 85 is outside the model's 80 classes");
        Path pixels = Files.writeString(dir.resolve("d.txt"), "1 320 240 50 50\n");
        assertThatThrownBy(() -> YoloLabels.read(pixels, 10, 10, 80)).hasMessageContaining("normalised to 0..1");
    }
}
