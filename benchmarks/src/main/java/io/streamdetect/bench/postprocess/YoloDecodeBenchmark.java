package io.streamdetect.bench.postprocess;

import io.streamdetect.postprocess.DetectedObject;
import io.streamdetect.postprocess.DetectionDecoder;
import io.streamdetect.postprocess.PostprocessConfig;
import io.streamdetect.postprocess.YoloOutputDecoder;
import io.streamdetect.testing.SharedFiles;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Host post-processing of YOLO11n's raw output (84 rows × 8,400 anchors per image: best class, confidence filter,
 * class-wise NMS, letterbox mapping), images/s on one thread: the current {@link YoloOutputDecoder} against the
 * decoder before issue 14 ({@link BaselineYoloOutputDecoder}), in the same run, on the real outputs of the 8
 * coco8 images.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
public class YoloDecodeBenchmark {
    private static final int IMAGES = 8;

    private RealYoloOutputs outputs;
    private DetectionDecoder current;
    private DetectionDecoder baseline;

    @Setup(Level.Trial)
    public void setUp() {
        outputs = RealYoloOutputs.of(SharedFiles.model(), SharedFiles.coco8().resolve("images"));
        if (outputs.images() != IMAGES) {
            throw new IllegalStateException("expected the " + IMAGES + " coco8 images, found " + outputs.images());
        }
        int rows = outputs.info().outputRows();
        int anchors = outputs.info().outputAnchors();
        current = new YoloOutputDecoder(rows, anchors, outputs.metadata(), PostprocessConfig.DEFAULT);
        baseline = new BaselineYoloOutputDecoder(rows, anchors, outputs.metadata(), PostprocessConfig.DEFAULT);
    }

    @Benchmark
    @OperationsPerInvocation(IMAGES)
    public void current(Blackhole sink) {
        decodeAll(current, sink);
    }

    @Benchmark
    @OperationsPerInvocation(IMAGES)
    public void baseline(Blackhole sink) {
        decodeAll(baseline, sink);
    }

    private void decodeAll(DetectionDecoder decoder, Blackhole sink) {
        for (int slot = 0; slot < IMAGES; slot++) {
            List<DetectedObject> found = decoder.decode(outputs.output(), slot, outputs.letterboxes().get(slot));
            sink.consume(found);
        }
    }
}
