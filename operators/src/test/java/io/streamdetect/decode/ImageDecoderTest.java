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

    @Test
    void aFrameHeaderHiddenBehindAStandaloneMarkerIsNotTakenForTheRealOne() {
        byte[] bomb = TestImages.jpegWithHiddenFrame(TestImages.solid(8, 8, 0, 0, 0, ".jpg"), 9000, 9000);
        assertThat(bomb).startsWith(0xFF, 0xD8, 0xFF, 0xD0, 0x00, 0x06);
        // libjpeg skips the two stray bytes after RST0 (with a warning); so does not this reader: it refuses them
        assertFails(bomb, ErrorKind.DECODE_FAILED, "expected a marker at byte 4");
        // without the stray bytes the marker walk reaches the real frame header and its size
        byte[] clean = new byte[bomb.length - 2];
        System.arraycopy(bomb, 0, clean, 0, 4);
        System.arraycopy(bomb, 6, clean, 4, bomb.length - 6);
        assertFails(clean, ErrorKind.IMAGE_TOO_LARGE, "9000x9000 = 81000000 pixels is over the limit");
    }

    @Test
    void standaloneMarkersAndFillBytesHaveNoLength() {
        byte[] jpeg = TestImages.solid(40, 30, 9, 9, 9, ".jpg");
        // SOI, TEM, RST7, fill bytes, then the image's own segments
        byte[] marked = new byte[jpeg.length + 6];
        marked[0] = (byte) 0xFF;
        marked[1] = (byte) 0xD8;
        byte[] inserted = {(byte) 0xFF, 0x01, (byte) 0xFF, (byte) 0xD7, (byte) 0xFF, (byte) 0xFF};
        System.arraycopy(inserted, 0, marked, 2, inserted.length);
        System.arraycopy(jpeg, 2, marked, 8, jpeg.length - 2);
        assertThat(decoder.inspect(marked)).isEqualTo(new ImageHeader(ImageFormat.JPEG, 40, 30));
        try (DecodedImage image = decoder.decode(marked)) {
            assertThat(image.width()).isEqualTo(40);
            assertThat(image.height()).isEqualTo(30);
        }
    }

    @Test
    void aSecondFrameHeaderIsRefused() {
        byte[] jpeg = TestImages.solid(16, 16, 9, 9, 9, ".jpg");
        byte[] frame = {(byte) 0xFF, (byte) 0xC0, 0, 17, 8, 0x23, 0x28, 0x23, 0x28, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1};
        byte[] twice = new byte[jpeg.length + frame.length];
        twice[0] = (byte) 0xFF;
        twice[1] = (byte) 0xD8;
        System.arraycopy(frame, 0, twice, 2, frame.length);
        System.arraycopy(jpeg, 2, twice, 2 + frame.length, jpeg.length - 2);
        assertFails(twice, ErrorKind.DECODE_FAILED, "a second frame header");
    }

    private void assertFails(byte[] bytes, ErrorKind kind, String message) {
        assertThatThrownBy(() -> decoder.decode(bytes)).isInstanceOfSatisfying(PipelineException.class, e -> {
            assertThat(e.kind()).isEqualTo(kind);
            assertThat(e.stage()).isEqualTo(Stage.DECODE);
            assertThat(e.getMessage()).contains(message);
        });
    }
}
