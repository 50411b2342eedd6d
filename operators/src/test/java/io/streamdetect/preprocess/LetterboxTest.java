package io.streamdetect.preprocess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.streamdetect.decode.DecodeLimits;
import io.streamdetect.decode.DecodedImage;
import io.streamdetect.decode.ImageDecoder;
import io.streamdetect.testing.TestImages;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LetterboxTest {

    @ParameterizedTest(name = "{0}x{1} -> {2}x{3} pad {4},{5}")
    @CsvSource({
        // width, height, resized w, h, pad left, top: Ultralytics' LetterBox(auto=False) values
        "810, 1080, 480, 640, 80, 0",   // portrait (bus.jpg)
        "1280, 720, 640, 360, 0, 140",  // landscape 16:9
        "640, 640, 640, 640, 0, 0",     // exact fit
        "1, 1, 640, 640, 0, 0",         // tiny: upscaled
        "17, 3, 640, 113, 0, 263",      // odd sizes: 527 px of padding, extra row at the bottom
        "20000, 100, 640, 3, 0, 318",   // huge and thin
        "333, 777, 274, 640, 183, 0"    // odd portrait: 366 px padding split 183/183
    })
    void geometryMatchesUltralytics(int w, int h, int rw, int rh, int left, int top) {
        Letterbox box = Letterbox.of(w, h, 640, 640);
        assertThat(box.resizedWidth()).isEqualTo(rw);
        assertThat(box.resizedHeight()).isEqualTo(rh);
        assertThat(box.padLeft()).isEqualTo(left);
        assertThat(box.padTop()).isEqualTo(top);
        // corners of the resized area map back to the image corners
        assertThat(box.toSourceX(left)).isCloseTo(0f, within(1f / (float) box.scale()));
        assertThat(box.toSourceX(left + rw)).isCloseTo(w, within(1f / (float) box.scale() + 0.01f * w));
        assertThat(box.toSourceY(top + rh)).isCloseTo(h, within(1f / (float) box.scale() + 0.01f * h));
    }

    @Test
    void boxesOutsideTheImageAreClipped() {
        Letterbox box = Letterbox.of(810, 1080, 640, 640);
        assertThat(box.toSourceX(-50)).isZero();
        assertThat(box.toSourceX(700)).isEqualTo(810f);
        assertThat(box.toSourceY(639)).isLessThanOrEqualTo(1080f);
    }

    @Test
    void rejectsEmptySizes() {
        assertThatThrownBy(() -> Letterbox.of(0, 10, 640, 640)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void writesRgbPlanesScaledTo01WithGreyPadding() {
        // a landscape pure-blue image (BGR 255,0,0): R=0, G=0, B=1 inside, 114/255 in the padding
        byte[] png = TestImages.solid(64, 32, 255, 0, 0, ".png");
        LetterboxPreprocessor pre = new LetterboxPreprocessor(64, 64);
        FloatBuffer batch = FloatBuffer.allocate(2 * pre.imageSize());
        try (DecodedImage image = new ImageDecoder(DecodeLimits.DEFAULT).decode(png)) {
            Letterbox box = pre.process(image, batch, 1);
            assertThat(box.padTop()).isEqualTo(16);
            int base = pre.imageSize();
            int plane = 64 * 64;
            int inside = base + 32 * 64 + 10;
            assertThat(batch.get(inside)).isZero();                        // R
            assertThat(batch.get(inside + plane)).isZero();                // G
            assertThat(batch.get(inside + 2 * plane)).isEqualTo(1f);      // B
            int padding = base + 3 * 64 + 10;                              // row 3 is in the top padding
            assertThat(batch.get(padding)).isEqualTo(114f / 255f);
            assertThat(batch.get(padding + 2 * plane)).isEqualTo(114f / 255f);
            assertThat(batch.get(10)).as("slot 0 untouched").isZero();
        }
    }
}
