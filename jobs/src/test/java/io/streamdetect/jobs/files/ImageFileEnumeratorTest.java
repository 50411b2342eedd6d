package io.streamdetect.jobs.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.flink.core.fs.Path;
import org.junit.jupiter.api.Test;

class ImageFileEnumeratorTest {
    private static final Path ROOT = new Path("file:/data/archive");

    @Test
    void theDefaultGlobTakesImagesAtAnyDepthInAnyCase() {
        ImageFileEnumerator e = new ImageFileEnumerator(ROOT, ImageFileSource.DEFAULT_GLOB);
        assertThat(e.matches(new Path("file:/data/archive/a.jpg"))).isTrue();
        assertThat(e.matches(new Path("file:/data/archive/cam-1/2026/b.PNG"))).isTrue();
        assertThat(e.matches(new Path("file:/data/archive/cam-1/c.jpeg"))).isTrue();
        assertThat(e.matches(new Path("file:/data/archive/labels/a.txt"))).isFalse();
    }

    @Test
    void aGlobIsMatchedAgainstThePathBelowTheRoot() {
        ImageFileEnumerator e = new ImageFileEnumerator(ROOT, "cam-7/**.jpg");
        assertThat(e.matches(new Path("file:/data/archive/cam-7/2026-11-01/x.jpg"))).isTrue();
        assertThat(e.matches(new Path("file:/data/archive/cam-8/2026-11-01/x.jpg"))).isFalse();
    }

    @Test
    void recordIdsAreRelativePathsOrTheNameOfASingleFile() {
        ImageFileFormat format = new ImageFileFormat(ROOT, "archive", 1 << 20);
        assertThat(format.recordId(new Path("file:/data/archive/cam-7/x.jpg"))).isEqualTo("cam-7/x.jpg");
        ImageFileFormat single = new ImageFileFormat(new Path("file:/data/archive/cam-7/x.jpg"), "archive", 1 << 20);
        assertThat(single.recordId(new Path("file:/data/archive/cam-7/x.jpg"))).isEqualTo("x.jpg");
    }

    @Test
    void aBadGlobIsRefusedUpFrontWithAnExample() {
        assertThatThrownBy(() -> ImageFileSource.of("/tmp", "**.{jpg", "s", 1))
                .hasMessageContaining("input.glob '**.{jpg' is not a valid glob").hasMessageContaining("e.g.");
    }
}
