package io.streamdetect.cli;

import io.streamdetect.decode.DecodeLimits;
import io.streamdetect.decode.DecodedImage;
import io.streamdetect.decode.ImageDecoder;
import io.streamdetect.engine.Backend;
import io.streamdetect.engine.EngineSession;
import io.streamdetect.engine.EngineSpec;
import io.streamdetect.engine.Engines;
import io.streamdetect.engine.InferenceEngine;
import io.streamdetect.engine.InputBatch;
import io.streamdetect.engine.Precision;
import io.streamdetect.preprocess.LetterboxPreprocessor;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code streamdetect bench}: images/s and latency per batch size for every backend and precision asked for,
 * side by side in one run. Compute-only leaves host-device copies out (TensorRT); host-to-host includes them.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark inference per batch size: compute-only and host-to-host images/s, latency percentiles.")
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, required = true, description = "ONNX model.")
    Path model;

    @Option(names = "--backends", split = ",", defaultValue = "onnxruntime",
            description = "Comma-separated backends: onnxruntime, tensorrt (default: ${DEFAULT-VALUE}).")
    List<String> backends;

    @Option(names = "--precision", split = ",", defaultValue = "fp32",
            description = "Comma-separated TensorRT precisions: fp32, fp16, int8 (default: ${DEFAULT-VALUE}).")
    List<String> precisions;

    @Option(names = "--batches", split = ",", defaultValue = "1,8",
            description = "Comma-separated batch sizes (default: ${DEFAULT-VALUE}).")
    List<Integer> batches;

    @Option(names = "--calib", paramLabel = "DIR", description = "Calibration images, needed for int8.")
    Path calib;

    @Option(names = "--image", paramLabel = "FILE", description = "Image replicated into every slot (default: a grey frame).")
    Path image;

    @Option(names = "--seconds", defaultValue = "3", description = "Measuring time per point (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        int maxBatch = batches.stream().mapToInt(Integer::intValue).max().orElse(1);
        out.println("| backend | precision | batch | compute img/s | host-to-host img/s | p50 ms | p95 ms | p99 ms |");
        out.println("|---|---|---|---|---|---|---|---|");
        for (String b : backends) {
            Backend backend = Backend.parse(b);
            List<Precision> list = backend == Backend.TENSORRT ? precisions.stream().map(Precision::parse).toList()
                    : List.of(Precision.FP32);
            for (Precision precision : list) {
                EngineSpec engineSpec = new EngineSpec(model.toString(), backend, precision, maxBatch, 0,
                        calib == null ? null : calib.toString());
                try (InferenceEngine engine = Engines.open(engineSpec);
                     EngineSession session = engine.openSession();
                     InputBatch input = session.newInputBatch()) {
                    fill(input, engine);
                    for (int batch : batches) {
                        out.println(measure(session, input, batch, backend, precision));
                        out.flush();
                    }
                }
            }
        }
        return 0;
    }

    private void fill(InputBatch input, InferenceEngine engine) throws Exception {
        LetterboxPreprocessor pre = new LetterboxPreprocessor(engine.info().inputWidth(), engine.info().inputHeight());
        if (image == null) {
            for (int i = 0; i < input.floats().capacity(); i++) {
                input.floats().put(i, 114f / 255f);
            }
            return;
        }
        try (DecodedImage decoded = new ImageDecoder(DecodeLimits.DEFAULT).decode(Files.readAllBytes(image))) {
            for (int slot = 0; slot < input.maxImages(); slot++) {
                pre.process(decoded, input.floats(), slot);
            }
        }
    }

    private String measure(EngineSession session, InputBatch input, int batch, Backend backend, Precision precision) {
        for (int i = 0; i < 3; i++) {
            session.run(input, batch); // warm-up
        }
        long budget = (long) (seconds * 1e9);
        int computeRuns = 0;
        long start = System.nanoTime();
        while (System.nanoTime() - start < budget || computeRuns < 3) {
            session.runComputeOnly(input, batch);
            computeRuns++;
        }
        double compute = (double) computeRuns * batch / ((System.nanoTime() - start) / 1e9);
        List<Long> latencies = new ArrayList<>();
        start = System.nanoTime();
        while (System.nanoTime() - start < budget || latencies.size() < 3) {
            long t = System.nanoTime();
            session.run(input, batch);
            latencies.add(System.nanoTime() - t);
        }
        double hostToHost = (double) latencies.size() * batch / ((System.nanoTime() - start) / 1e9);
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        return String.format(Locale.ROOT, "| %s | %s | %d | %.1f | %.1f | %.2f | %.2f | %.2f |", backend.label(),
                precision.label(), batch, compute, hostToHost, pct(sorted, 50), pct(sorted, 95), pct(sorted, 99));
    }

    static double pct(long[] sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }
}
