package io.streamdetect.preprocess.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.testing.TestImages;
import io.streamdetect.testing.VariedImages;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JpegGpuSupportTest {

    @Test
    void sequentialYCbCrAndGreyJpegsGoToTheGpuEverythingElseToTheCpu() {
        Map<String, byte[]> images = VariedImages.all();
        assertThat(images).hasSizeGreaterThanOrEqualTo(20 * 3);
        images.forEach((name, bytes) -> {
            String reason = JpegGpuSupport.cpuReason(bytes);
            String variant = name.substring(name.indexOf('/') + 1);
            switch (variant) {
                case "progressive" -> assertThat(reason).as(name).contains("progressive");
                case "png" -> assertThat(reason).as(name).isEqualTo("not a JPEG");
                case "exif-rotated" -> assertThat(reason).as(name).contains("EXIF orientation 6");
                default -> assertThat(reason).as(name).isNull();
            }
        });
    }

    @Test
    void exifOrientationOneStaysOnTheGpu() {
        assertThat(JpegGpuSupport.cpuReason(VariedImages.withExifOrientation(TestImages.bus(), 1))).isNull();
    }

    @Test
    void cmykAndTwelveBitAndBrokenHeadersGoToTheCpu() {
        byte[] bus = TestImages.bus();
        int sof = indexOfMarker(bus, 0xC0);
        byte[] cmyk = bus.clone();
        cmyk[sof + 9] = 4;
        assertThat(JpegGpuSupport.cpuReason(cmyk)).contains("4 components");
        byte[] twelveBit = bus.clone();
        twelveBit[sof + 4] = 12;
        assertThat(JpegGpuSupport.cpuReason(twelveBit)).contains("12-bit");
        assertThat(JpegGpuSupport.cpuReason(TestImages.truncated(bus, 0.001))).isNotNull();
        assertThat(JpegGpuSupport.cpuReason(new byte[] {(byte) 0xFF, (byte) 0xD8, 0x12, 0x34, 0, 0})).isNotNull();
    }

    @Test
    void chromaSamplingTheKernelDoesNotUpsampleGoesToTheCpu() {
        // only the header is read: sampling factors written into bus.jpg's frame header stand for real encodings
        assertThat(JpegGpuSupport.cpuReason(withSampling(0x22, 0x11))).as("4:2:0").isNull();
        assertThat(JpegGpuSupport.cpuReason(withSampling(0x21, 0x11))).as("4:2:2").isNull();
        assertThat(JpegGpuSupport.cpuReason(withSampling(0x11, 0x11))).as("4:4:4").isNull();
        assertThat(JpegGpuSupport.cpuReason(withSampling(0x22, 0x22))).as("4:4:4 at factor 2").isNull();
        assertThat(JpegGpuSupport.cpuReason(withSampling(0x12, 0x11))).as("4:4:0").contains("chroma sampling Y 1x2");
        assertThat(JpegGpuSupport.cpuReason(withSampling(0x41, 0x11))).as("4:1:1").contains("chroma sampling Y 4x1");
        byte[] mixed = withSampling(0x22, 0x11);
        mixed[indexOfMarker(mixed, 0xC0) + 17] = 0x21;
        assertThat(JpegGpuSupport.cpuReason(mixed)).as("Cb and Cr sampled differently").contains("Cr 2x1");
    }

    @Test
    void tinyImagesGoToTheCpu() {
        byte[] tiny = TestImages.bus().clone();
        int sof = indexOfMarker(tiny, 0xC0);
        tiny[sof + 7] = 0;
        tiny[sof + 8] = 4;
        assertThat(JpegGpuSupport.cpuReason(tiny)).contains("smaller than 8x8");
    }

    private static byte[] withSampling(int luma, int chroma) {
        byte[] b = TestImages.bus().clone();
        int sof = indexOfMarker(b, 0xC0);
        b[sof + 11] = (byte) luma;
        b[sof + 14] = (byte) chroma;
        b[sof + 17] = (byte) chroma;
        return b;
    }

    private static int indexOfMarker(byte[] b, int marker) {
        for (int i = 2; i + 1 < b.length; i++) {
            if ((b[i] & 0xFF) == 0xFF && (b[i + 1] & 0xFF) == marker) {
                return i;
            }
        }
        throw new AssertionError("no marker " + Integer.toHexString(marker));
    }
}
