package io.streamdetect.bench.preprocess;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.decode.DecodeLimits;
import io.streamdetect.decode.DecodedImage;
import io.streamdetect.decode.ImageDecoder;
import io.streamdetect.preprocess.Letterbox;
import io.streamdetect.preprocess.LetterboxPreprocessor;
import io.streamdetect.testing.SharedFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The row-writing {@link LetterboxPreprocessor} writes exactly the floats of the one before it
 * ({@link BaselineLetterboxPreprocessor}), bit for bit, over the whole batch: coco8 and bus.jpg, landscape and
 * portrait, square and odd target sizes, one preprocessor reused across images of different shapes (its row
 * buffers keep the previous image's side padding), into a dirty direct buffer at a slot other than 0.
 */
class LetterboxPreprocessorEquivalenceTest {

    @ParameterizedTest
    @CsvSource({"640, 640", "320, 256", "97, 131"})
    void sameFloatsAsBeforeForEveryImage(int width, int height) throws IOException {
        List<Path> images = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SharedFiles.coco8().resolve("images"))) {
            files.filter(f -> f.toString().endsWith(".jpg")).sorted().forEach(images::add);
        }
        images.add(SharedFiles.root().resolve("images/bus.jpg"));
        LetterboxPreprocessor current = new LetterboxPreprocessor(width, height);
        BaselineLetterboxPreprocessor before = new BaselineLetterboxPreprocessor(width, height);
        int slots = 3;
        FloatBuffer actual = dirty(slots * current.imageSize());
        FloatBuffer expected = dirty(slots * current.imageSize());
        ImageDecoder decoder = new ImageDecoder(DecodeLimits.DEFAULT);
        for (Path image : images) {
            try (DecodedImage decoded = decoder.decode(Files.readAllBytes(image))) {
                Letterbox box = current.process(decoded, actual, 1);
                assertThat(box).isEqualTo(before.process(decoded, expected, 1));
            }
            for (int i = 0; i < actual.capacity(); i++) {
                if (Float.floatToRawIntBits(actual.get(i)) != Float.floatToRawIntBits(expected.get(i))) {
                    throw new AssertionError(image.getFileName() + " at " + width + "x" + height + ": float " + i
                            + " is " + actual.get(i) + ", was " + expected.get(i));
                }
            }
        }
        assertThat(images).hasSizeGreaterThanOrEqualTo(9);
    }

    /** A direct buffer (as pinned batches are) full of a value neither preprocessor writes. */
    private static FloatBuffer dirty(int floats) {
        FloatBuffer b = ByteBuffer.allocateDirect(floats * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < floats; i++) {
            b.put(i, -7f);
        }
        return b;
    }
}
