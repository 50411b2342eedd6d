package io.streamdetect.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

import io.streamdetect.PipelineException;
import io.streamdetect.testing.TestImages;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Random and mutated JPEG/PNG headers: whenever the header reader accepts an image, OpenCV (libjpeg, libpng)
 * decodes no more pixels than the header said, so the pixel limit checked before decoding holds; and the decoder
 * never returns more than the limits allow. Mutations aim at the marker walk: standalone markers, fill bytes,
 * comment segments holding fake frame headers, second frame headers, random header bytes, truncation.
 */
class ImageHeaderPropertyTest {
    private static final DecodeLimits LIMITS = new DecodeLimits(1 << 20, 250_000);
    private static final ImageDecoder DECODER = new ImageDecoder(LIMITS);
    private static final List<byte[]> SEEDS = List.of(
            TestImages.solid(8, 8, 0, 0, 0, ".jpg"), TestImages.solid(33, 17, 200, 10, 90, ".jpg"),
            TestImages.solid(16, 40, 5, 5, 5, ".png"), TestImages.solid(3, 2, 250, 250, 0, ".png"));

    @Property(tries = 300)
    void theHeaderNeverSaysLessThanOpenCvDecodes(@ForAll("mutatedImages") byte[] bytes) {
        ImageHeader header;
        try {
            header = DECODER.inspect(bytes);
        } catch (PipelineException refused) {
            return; // refused before decoding: nothing allocated
        }
        assertThat(header.pixels()).isLessThanOrEqualTo(LIMITS.maxPixels());
        // OpenCV itself, not our decoder (which now checks the decoded size): what would libjpeg/libpng allocate?
        try (BytePointer data = new BytePointer(bytes); Mat encoded = new Mat(1, bytes.length, CV_8UC1, data);
             Mat decoded = imdecode(encoded, IMREAD_COLOR)) {
            if (decoded != null && !decoded.empty()) {
                assertThat((long) decoded.cols() * decoded.rows()).as("pixels OpenCV decoded; the header said %dx%d",
                        header.width(), header.height()).isLessThanOrEqualTo(header.pixels());
            }
        } catch (RuntimeException openCvRefused) {
            // a cv::Exception: nothing decoded
        }
    }

    @Property(tries = 150)
    void theDecoderReturnsNothingOverTheLimits(@ForAll("mutatedImages") byte[] bytes) {
        try (DecodedImage image = DECODER.decode(bytes)) {
            assertThat((long) image.width() * image.height()).isLessThanOrEqualTo(LIMITS.maxPixels());
        } catch (PipelineException refused) {
            assertThat(refused.kind()).isNotNull();
        }
    }

    @Provide
    Arbitrary<byte[]> mutatedImages() {
        return Combinators.combine(Arbitraries.of(SEEDS), Arbitraries.integers().between(1, 4), Arbitraries.randoms())
                .as(ImageHeaderPropertyTest::mutate);
    }

    private static byte[] mutate(byte[] seed, int mutations, Random random) {
        byte[] b = seed.clone();
        if (ImageFormat.sniff(b) == ImageFormat.JPEG && random.nextInt(3) == 0) {
            // issue 13's recipe: a real frame of any size, a small fake one in a comment before it, and a
            // standalone marker before that whose next two bytes (00 06), read as a length, land on the fake one
            b = withBigFrame(b, random);
            b = insert(b, 2, comment(frame(random, 16)));
            b = insert(b, 2, random.nextBoolean() ? new byte[] {(byte) 0xFF, (byte) 0xD0, 0, 6} : standalone(random));
            mutations--;
        }
        for (int i = 0; i < mutations; i++) {
            b = switch (random.nextInt(6)) {
                case 0 -> insert(b, 2, standalone(random)); // RSTn / TEM / fill, maybe with stray bytes after it
                case 1 -> insert(b, 2, comment(frame(random, 4096))); // a fake frame header inside a comment
                case 2 -> insert(b, 2, frame(random, 4096)); // a second frame header
                case 3 -> withBigFrame(b, random);
                case 4 -> { // random header bytes
                    int at = random.nextInt(Math.min(b.length, 64));
                    b[at] = (byte) random.nextInt(256);
                    yield b;
                }
                default -> java.util.Arrays.copyOf(b, Math.max(1, b.length - random.nextInt(b.length)));
            };
        }
        return b;
    }

    private static byte[] standalone(Random random) {
        int[] markers = {0xD0, 0xD3, 0xD7, 0x01, 0xFF};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0xFF);
        out.write(markers[random.nextInt(markers.length)]);
        for (int n = random.nextInt(3); n > 0; n--) {
            out.write(random.nextBoolean() ? 0x00 : random.nextInt(256));
        }
        return out.toByteArray();
    }

    /** A SOF0 segment of up to max x max (4096: 50 MB of pixels if OpenCV decodes it; the test stays bounded). */
    private static byte[] frame(Random random, int max) {
        int h = 1 + random.nextInt(max);
        int w = 1 + random.nextInt(max);
        return new byte[] {(byte) 0xFF, (byte) 0xC0, 0, 17, 8, (byte) (h >> 8), (byte) h, (byte) (w >> 8), (byte) w,
                3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1};
    }

    private static byte[] comment(byte[] body) {
        byte[] out = new byte[4 + body.length];
        out[0] = (byte) 0xFF;
        out[1] = (byte) 0xFE;
        out[3] = (byte) (2 + body.length);
        System.arraycopy(body, 0, out, 4, body.length);
        return out;
    }

    private static byte[] withBigFrame(byte[] b, Random random) {
        if (ImageFormat.sniff(b) != ImageFormat.JPEG) {
            return b;
        }
        try {
            return TestImages.jpegClaiming(b, 1 + random.nextInt(4096), 1 + random.nextInt(4096));
        } catch (RuntimeException noFrame) {
            return b;
        }
    }

    private static byte[] insert(byte[] b, int at, byte[] inserted) {
        if (b.length < at) {
            return b;
        }
        byte[] out = new byte[b.length + inserted.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(inserted, 0, out, at, inserted.length);
        System.arraycopy(b, at, out, at + inserted.length, b.length - at);
        return out;
    }
}
