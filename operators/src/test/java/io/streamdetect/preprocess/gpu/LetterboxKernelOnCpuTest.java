package io.streamdetect.preprocess.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_SAMPLING_FACTOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamdetect.decode.DecodeLimits;
import io.streamdetect.decode.DecodedImage;
import io.streamdetect.decode.ImageDecoder;
import io.streamdetect.decode.ImageHeaderReader;
import io.streamdetect.preprocess.Letterbox;
import io.streamdetect.preprocess.LetterboxPreprocessor;
import io.streamdetect.testing.TestImages;
import io.streamdetect.testing.VariedImages;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code letterbox.cu}'s arithmetic, checked without a GPU: the kernel source, compiled as C++ for the host with
 * {@code letterbox_on_cpu.cpp} standing in for CUDA's built-ins, runs on the Y/Cb/Cr planes libjpeg decodes, and
 * must give the CPU path's input tensor bit for bit. On the GPU the planes come from nvJPEG, whose hardware
 * decoder gives libjpeg's ({@link GpuPipelineGpuTest} checks that end to end). Skips where g++ or libjpeg's
 * headers are missing.
 */
class LetterboxKernelOnCpuTest {
    private static final int TARGET = 640;

    @TempDir
    static Path dir;
    private static Path harness;

    private enum Mode { COPY, LINEAR, AREA2 }

    @BeforeAll
    static void buildHarness() throws Exception {
        assumeTrue(run(dir, List.of("sh", "-c", "echo '#include <stdio.h>\n#include <jpeglib.h>' | g++ -E -x c++ - > /dev/null"))
                .startsWith("0"), "g++ and libjpeg headers are needed to run the kernel on the CPU");
        Files.writeString(dir.resolve("letterbox.cu"), LetterboxKernel.source());
        try (InputStream in = LetterboxKernelOnCpuTest.class.getResourceAsStream("letterbox_on_cpu.cpp")) {
            Files.write(dir.resolve("letterbox_on_cpu.cpp"), in.readAllBytes());
        }
        // no contraction into FMAs: NVRTC compiles the kernel with --fmad=false for the same reason
        String built = run(dir, List.of("g++", "-O2", "-ffp-contract=off", "-DKERNEL=\"letterbox.cu\"", "-o",
                "letterbox_on_cpu", "letterbox_on_cpu.cpp", "-ljpeg"));
        assertThat(built).as("building the kernel for the host").startsWith("0");
        harness = dir.resolve("letterbox_on_cpu");
    }

    @Test
    void kernelGivesTheCpuPathsInputBitForBit() throws Exception {
        Map<String, byte[]> images = new LinkedHashMap<>();
        VariedImages.all().forEach((name, bytes) -> {
            if (JpegGpuSupport.cpuReason(bytes) == null) {
                images.put(name, bytes);
            }
        });
        images.putAll(resizedBuses());
        ImageDecoder decoder = new ImageDecoder(DecodeLimits.DEFAULT);
        LetterboxPreprocessor cpu = new LetterboxPreprocessor(TARGET, TARGET);
        FloatBuffer expected = FloatBuffer.allocate(cpu.imageSize());
        Set<Mode> modes = EnumSet.noneOf(Mode.class);
        List<String> differing = new ArrayList<>();
        Path jpeg = dir.resolve("in.jpg");
        Path floats = dir.resolve("out.f32");
        for (Map.Entry<String, byte[]> image : images.entrySet()) {
            var header = ImageHeaderReader.read(image.getValue());
            Letterbox box = Letterbox.of(header.width(), header.height(), TARGET, TARGET);
            int mode = LetterboxJobs.mode(box);
            modes.add(Mode.values()[mode]);
            Files.write(jpeg, image.getValue());
            String ran = run(dir, List.of(harness.toString(), jpeg.toString(), floats.toString(), "" + TARGET,
                    "" + box.resizedWidth(), "" + box.resizedHeight(), "" + box.padLeft(), "" + box.padTop(), "" + mode));
            assertThat(ran).as(image.getKey()).startsWith("0");
            FloatBuffer actual = ByteBuffer.wrap(Files.readAllBytes(floats)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            try (DecodedImage decoded = decoder.decode(image.getValue())) {
                cpu.process(decoded, expected, 0);
            }
            int values = 0;
            for (int i = 0; i < cpu.imageSize(); i++) {
                values += actual.get(i) == expected.get(i) ? 0 : 1;
            }
            if (values > 0) {
                differing.add(image.getKey() + ": " + values + " values differ (" + ran.trim() + ")");
            }
        }
        assertThat(images).hasSizeGreaterThanOrEqualTo(60);
        assertThat(modes).as("copy, bilinear and 2x area paths all exercised").containsExactlyInAnyOrder(Mode.values());
        assertThat(differing).as("images whose kernel output differs from the CPU path").isEmpty();
    }

    /**
     * Issue 13: a box made for a larger image than the planes hold (a header read two ways) must not make the copy
     * or the 2x path read outside the planes: the kernel clamps to the decoded size, so the output repeats the
     * edge pixels. The GPU path sends such images to the CPU before the kernel ({@code GpuHeaderMismatchGpuTest}).
     */
    @Test
    void copyAndTwoTimesPathsStayInsideThePlanes() throws Exception {
        byte[] small = resizedBuses().get("bus 33x17 420");
        Path jpeg = dir.resolve("small.jpg");
        Files.write(jpeg, small);
        Path floats = dir.resolve("small.f32");
        ImageDecoder decoder = new ImageDecoder(DecodeLimits.DEFAULT);
        try (DecodedImage image = decoder.decode(small)) {
            assertThat(image.width()).isEqualTo(33);
            // boxes for a 320x240 image: 640x480 is the copy path at TARGET, 1280x960 the 2x path
            for (int[] claimed : new int[][] {{640, 480}, {1280, 960}}) {
                Letterbox box = Letterbox.of(claimed[0], claimed[1], TARGET, TARGET);
                int mode = LetterboxJobs.mode(box);
                String ran = run(dir, List.of(harness.toString(), jpeg.toString(), floats.toString(), "" + TARGET,
                        "" + box.resizedWidth(), "" + box.resizedHeight(), "" + box.padLeft(), "" + box.padTop(), "" + mode));
                assertThat(ran).startsWith("0");
                FloatBuffer out = ByteBuffer.wrap(Files.readAllBytes(floats)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
                int plane = TARGET * TARGET;
                int wrong = 0;
                for (int ry = 0; ry < box.resizedHeight(); ry += 7) {
                    for (int rx = 0; rx < box.resizedWidth(); rx += 7) {
                        // the copy path reads (rx, ry), the 2x path averages 2x2 from (2rx, 2ry): far outside both
                        // clamp to the bottom-right edge pixel
                        int sx = Math.min(mode == LetterboxJobs.MODE_COPY ? rx : 2 * rx, 32);
                        int sy = Math.min(mode == LetterboxJobs.MODE_COPY ? ry : 2 * ry, 16);
                        if (sx < 32 || sy < 16) {
                            continue; // inside: averages or copies real pixels, checked by the test above
                        }
                        int o = (ry + box.padTop()) * TARGET + rx + box.padLeft();
                        var bgr = image.mat().ptr(16, 32);
                        for (int c = 0; c < 3; c++) {
                            float expected = (bgr.get(2 - c) & 0xFF) / 255f;
                            wrong += out.get(c * plane + o) == expected ? 0 : 1;
                        }
                    }
                }
                assertThat(wrong).as("values past the planes that are not the edge pixel, mode %d", mode).isZero();
            }
        }
    }

    /**
     * bus.jpg at sizes that take the kernel's other paths: an exact 2× downscale (OpenCV's INTER_AREA fast path),
     * odd sizes, a tiny and a very wide image, each as 4:2:0, 4:2:2 and 4:4:4.
     */
    private static Map<String, byte[]> resizedBuses() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        byte[] bus = TestImages.bus();
        try (Mat source = imdecode(new Mat(new BytePointer(bus)), IMREAD_COLOR)) {
            int[][] sizes = {{1280, 960}, {1280, 1280}, {641, 479}, {33, 17}, {2000, 123}};
            int[][] samplings = {{0x221111, 420}, {0x211111, 422}, {0x111111, 444}};
            for (int[] size : sizes) {
                try (Mat resized = new Mat(); Size s = new Size(size[0], size[1])) {
                    resize(source, resized, s);
                    for (int[] sampling : samplings) {
                        try (BytePointer encoded = new BytePointer();
                             IntPointer params = new IntPointer(IMWRITE_JPEG_QUALITY, 90, IMWRITE_JPEG_SAMPLING_FACTOR, sampling[0])) {
                            imencode(".jpg", resized, encoded, params);
                            byte[] bytes = new byte[(int) encoded.limit()];
                            encoded.get(bytes);
                            out.put("bus " + size[0] + "x" + size[1] + " " + sampling[1], bytes);
                        }
                    }
                }
            }
        }
        return out;
    }

    /** Exit code, then the command's output. */
    private static String run(Path workDir, List<String> command) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            return "127 " + e.getMessage(); // not installed
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return "124 timed out: " + output;
        }
        return process.exitValue() + " " + output;
    }
}
