package io.streamdetect.bench;

import io.streamdetect.decode.DecodeLimits;
import io.streamdetect.decode.DecodedImage;
import io.streamdetect.decode.ImageDecoder;
import io.streamdetect.preprocess.Letterbox;
import io.streamdetect.bench.preprocess.BaselineLetterboxPreprocessor;
import io.streamdetect.preprocess.LetterboxPreprocessor;
import io.streamdetect.testing.SharedFiles;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
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
 * Decode + letterbox of one JPEG into a 640×640 NCHW float slot, single-threaded (images/s per core): the
 * OpenCV path the operator uses against the javax.imageio + Java2D baseline, in the same run; and the letterbox
 * write alone (the image decoded once) against the preprocessor before it wrote rows straight into the batch
 * ({@link BaselineLetterboxPreprocessor}). The batch is a direct buffer, as the operator's pinned batches are.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Djava.awt.headless=true"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
public class DecodeLetterboxBenchmark {
    private static final int SIZE = 640;

    /** bus.jpg (810×1080) and a coco8 photo (640×480 class). */
    @Param({"images/bus.jpg", "data/coco8/images/val/000000000036.jpg"})
    public String image;

    private byte[] bytes;
    private ImageDecoder decoder;
    private LetterboxPreprocessor preprocessor;
    private BaselineLetterboxPreprocessor before;
    private DecodedImage decodedOnce;
    private FloatBuffer batch;
    private float[] chw;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        bytes = Files.readAllBytes(SharedFiles.root().resolve(image));
        decoder = new ImageDecoder(DecodeLimits.DEFAULT);
        preprocessor = new LetterboxPreprocessor(SIZE, SIZE);
        before = new BaselineLetterboxPreprocessor(SIZE, SIZE);
        decodedOnce = decoder.decode(bytes);
        batch = java.nio.ByteBuffer.allocateDirect(preprocessor.imageSize() * Float.BYTES)
                .order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
        chw = new float[preprocessor.imageSize()];
    }

    @Benchmark
    public Letterbox opencv() {
        try (DecodedImage decoded = decoder.decode(bytes)) {
            return preprocessor.process(decoded, batch, 0);
        }
    }

    @Benchmark
    public Letterbox opencvBefore() {
        try (DecodedImage decoded = decoder.decode(bytes)) {
            return before.process(decoded, batch, 0);
        }
    }

    @Benchmark
    public Letterbox letterboxOnly() {
        return preprocessor.process(decodedOnce, batch, 0);
    }

    @Benchmark
    public Letterbox letterboxOnlyBefore() {
        return before.process(decodedOnce, batch, 0);
    }

    @org.openjdk.jmh.annotations.TearDown(Level.Trial)
    public void tearDown() {
        decodedOnce.close();
    }

    @Benchmark
    public float[] imageioJava2d() throws IOException {
        BufferedImage src = ImageIO.read(new ByteArrayInputStream(bytes));
        Letterbox box = Letterbox.of(src.getWidth(), src.getHeight(), SIZE, SIZE);
        BufferedImage canvas = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = canvas.createGraphics();
        g.setColor(new Color(114, 114, 114));
        g.fillRect(0, 0, SIZE, SIZE);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, box.padLeft(), box.padTop(), box.resizedWidth(), box.resizedHeight(), null);
        g.dispose();
        byte[] bgr = ((java.awt.image.DataBufferByte) canvas.getRaster().getDataBuffer()).getData();
        int plane = SIZE * SIZE;
        for (int p = 0, i = 0; p < plane; p++, i += 3) {
            chw[p] = (bgr[i + 2] & 0xFF) / 255f;
            chw[plane + p] = (bgr[i + 1] & 0xFF) / 255f;
            chw[2 * plane + p] = (bgr[i] & 0xFF) / 255f;
        }
        return chw;
    }
}
