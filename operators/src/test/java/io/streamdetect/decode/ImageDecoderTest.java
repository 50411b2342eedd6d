package io.streamdetect.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdetect.PipelineException;
import io.streamdetect.Stage;
import io.streamdetect.records.ErrorKind;
import io.streamdetect.testing.TestImages;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ImageDecoderTest {
    private final ImageDecoder decoder = new ImageDecoder(DecodeLimits.DEFAULT);

    @Test
    void decodesJpegAndPng() {
        try (DecodedImage bus = decoder.decode(TestImages.bus())) {
            assertThat(bus.width()).isEqualTo(810);
            assertThat(bus.height()).isEqualTo(1080);
            assertThat(bus.format()).isEqualTo(ImageFormat.JPEG);
            assertThat(bus.mat().channels()).isEqualTo(3);
        }
        try (DecodedImage png = decoder.decode(TestImages.solid(31, 7, 1, 2, 3, ".png"))) {
            assertThat(png.width()).isEqualTo(31);
            assertThat(png.format()).isEqualTo(ImageFormat.PNG);
        }
    }

    @Test
    void readsSizeFromTheHeaderAlone() {
        assertThat(decoder.inspect(TestImages.bus())).isEqualTo(new ImageHeader(ImageFormat.JPEG, 810, 1080));
        assertThat(decoder.inspect(TestImages.solid(5, 9, 0, 0, 0, ".png")))
                .isEqualTo(new ImageHeader(ImageFormat.PNG, 5, 9));
    }

    @Test
    void emptyBytes() {
        assertFails(new byte[0], ErrorKind.EMPTY_IMAGE, "empty");
        assertFails(null, ErrorKind.EMPTY_IMAGE, "empty");
    }

    @Test
    void textNamedJpg() {
        assertFails("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII), ErrorKind.UNSUPPORTED_FORMAT,
                "not a JPEG or PNG image (starts with 47 45 54 20)");
    }

    @Test
    void truncatedImagesAreRejectedNotHalfDecoded() {
        byte[] bus = TestImages.bus();
        assertFails(TestImages.truncated(bus, 0.6), ErrorKind.TRUNCATED_IMAGE, "no end-of-image marker");
        assertFails(Arrays.copyOf(bus, 40), ErrorKind.TRUNCATED_IMAGE, "ends before its frame header");
        byte[] png = TestImages.solid(300, 300, 10, 200, 30, ".png");
        assertFails(TestImages.truncated(png, 0.5), ErrorKind.TRUNCATED_IMAGE, "no IEND chunk");
        assertFails(Arrays.copyOf(png, 12), ErrorKind.TRUNCATED_IMAGE, "IHDR");
    }

    @Test
    void trailingBytesAfterTheEndMarkerAreTolerated() {
        byte[] bus = TestImages.bus();
        byte[] padded = Arrays.copyOf(bus, bus.length + 100);
        try (DecodedImage image = decoder.decode(padded)) {
            assertThat(image.width()).isEqualTo(810);
        }
    }

    @Test
    void corruptScanDataFailsToDecode() {
        byte[] png = TestImages.solid(64, 64, 10, 200, 30, ".png");
        // damage the compressed IDAT body but keep the header and IEND: header checks pass, libpng fails
        for (int i = 41; i < png.length - 20; i++) {
            png[i] = (byte) 0x5A;
        }
        assertFails(png, ErrorKind.DECODE_FAILED, "corrupt PNG");
    }

    @Test
    void decompressionBombsAreRejectedFromTheHeader() {
        byte[] bomb = TestImages.jpegClaiming(TestImages.solid(8, 8, 0, 0, 0, ".jpg"), 60000, 60000);
        assertFails(bomb, ErrorKind.IMAGE_TOO_LARGE, "60000x60000 = 3600000000 pixels is over the limit");
        ImageDecoder small = new ImageDecoder(new DecodeLimits(1000, 1_000_000));
        assertThatThrownBy(() -> small.decode(TestImages.bus())).isInstanceOf(PipelineException.class)
                .hasMessageContaining("over the limit of 1000 bytes");
        assertThatThrownBy(() -> new DecodeLimits(0, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    private void assertFails(byte[] bytes, ErrorKind kind, String message) {
        assertThatThrownBy(() -> decoder.decode(bytes)).isInstanceOfSatisfying(PipelineException.class, e -> {
            assertThat(e.kind()).isEqualTo(kind);
            assertThat(e.stage()).isEqualTo(Stage.DECODE);
            assertThat(e.getMessage()).contains(message);
        });
    }
}
