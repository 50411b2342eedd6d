package io.streamdetect.bench;

import io.streamdetect.engine.EngineSession;
import io.streamdetect.engine.EngineSpec;
import io.streamdetect.engine.Engines;
import io.streamdetect.engine.InferenceEngine;
import io.streamdetect.engine.InputBatch;
import io.streamdetect.testing.SharedFiles;
import java.nio.FloatBuffer;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * YOLO11n inference on ONNX Runtime (CPU, all cores) per call at batch 1 and 8; images/s = calls/s × batch.
 * Input is a letterboxed grey frame: inference time does not depend on pixel values.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "-Xmx3g")
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 4, time = 8)
public class OnnxRuntimeInferenceBenchmark {
    @Param({"1", "8"})
    public int batch;

    private InferenceEngine engine;
    private EngineSession session;
    private InputBatch input;

    @Setup(Level.Trial)
    public void setUp() {
        engine = Engines.open(EngineSpec.onnxRuntime(SharedFiles.model(), batch));
        session = engine.openSession();
        input = session.newInputBatch();
        FloatBuffer f = input.floats();
        for (int i = 0; i < f.capacity(); i++) {
            f.put(i, 114f / 255f);
        }
    }

    @Benchmark
    public FloatBuffer infer() {
        return session.run(input, batch);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        input.close();
        session.close();
        engine.close();
    }
}
