package io.streamdetect.bench;

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
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bytedeco.opencv.global.opencv_core;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decode + letterbox of coco8's JPEGs on as many threads as the machine has cores, as the operator's CPU decode pool
 * runs them: with OpenCV's own thread pool at its default size (one thread per core; {@code cv::resize} then spreads
 * each image over it while the other decode threads wait or run serially) against OpenCV's pool off
 * ({@code setNumThreads(1)}, each image resized on its own decode thread). Images/s for all threads together.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(Threads.MAX)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
public class ParallelDecodeBenchmark {
    /** OpenCV's pool: -1 leaves it at its default, 1 turns it off. */
    @Param({"-1", "1"})
    public int opencvThreads;

    List<byte[]> images;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        if (opencvThreads > 0) {
            opencv_core.setNumThreads(opencvThreads);
        }
        try (Stream<Path> files = Files.walk(SharedFiles.root().resolve("data/coco8/images"))) {
            images = files.filter(f -> f.toString().endsWith(".jpg")).sorted().map(ParallelDecodeBenchmark::read).toList();
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** One decode thread's own decoder, preprocessor and slot, cycling through the images. */
    @State(Scope.Thread)
    public static class DecodeThread {
        final ImageDecoder decoder = new ImageDecoder(DecodeLimits.DEFAULT);
        final LetterboxPreprocessor preprocessor = new LetterboxPreprocessor(640, 640);
        final FloatBuffer slot = ByteBuffer.allocateDirect(preprocessor.imageSize() * Float.BYTES)
                .order(ByteOrder.nativeOrder()).asFloatBuffer();
        int next;
    }

    @Benchmark
    public Letterbox decodeAndLetterbox(DecodeThread t) {
        byte[] jpeg = images.get(t.next++ % images.size());
        try (DecodedImage decoded = t.decoder.decode(jpeg)) {
            return t.preprocessor.process(decoded, t.slot, 0);
        }
    }
}
