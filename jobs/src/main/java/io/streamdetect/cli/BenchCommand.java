package io.streamdetect.cli;

import io.streamdetect.decode.DecodeLimits;
import io.streamdetect.decode.DecodedImage;
import io.streamdetect.decode.ImageDecoder;
import io.streamdetect.batching.BatchWait;
import io.streamdetect.batching.BatchingConfig;
import io.streamdetect.engine.Backend;
import io.streamdetect.engine.EngineSession;
import io.streamdetect.engine.EngineSpec;
import io.streamdetect.engine.Engines;
import io.streamdetect.engine.InferenceEngine;
import io.streamdetect.engine.InputBatch;
import io.streamdetect.engine.Precision;
import io.streamdetect.engine.tensorrt.TensorRtEngine;
import io.streamdetect.postprocess.NmsPlacement;
import io.streamdetect.postprocess.PostprocessConfig;
import io.streamdetect.predict.PredictorConfig;
import io.streamdetect.preprocess.LetterboxPreprocessor;
import io.streamdetect.preprocess.Preprocessing;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code streamdetect bench}: images/s and latency per batch size for every backend and precision asked for,
 * side by side in one run. Compute-only leaves host-device copies out (TensorRT); host-to-host includes them.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Benchmark inference per batch size: compute-only and host-to-host images/s, latency percentiles.",
                "End to end (--preprocess): encoded images through the operator's micro-batcher beside compute-only.",
                "Latency (--latency/--rates): Poisson arrivals at fixed rates, p50/p95/p99 per batch.wait rule."})
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

    @Option(names = "--preprocess", split = ",", paramLabel = "WHERE", converter = DetectionOptions.PreprocessingConverter.class,
            description = "End-to-end mode: encoded images in, detections out, with pre-processing on cpu, gpu and/or auto, "
                    + "beside the engine's compute-only throughput at the same batch and streams. Needs --images.")
    List<Preprocessing> preprocess;

    @Option(names = "--decode-threads", split = ",", defaultValue = "0", paramLabel = "N",
            description = "End-to-end mode: threads of the shared CPU decode pool, one row each (0: automatic, every "
                    + "core beside TensorRT, none beside ONNX Runtime; 1: the slot's prepare thread alone; default: ${DEFAULT-VALUE}).")
    List<Integer> decodeThreads;

    @Option(names = "--images", paramLabel = "DIR", description = "End-to-end mode: the JPEG/PNG records, cycled.")
    Path imagesDir;

    @Option(names = "--streams", defaultValue = "1", paramLabel = "N",
            description = "End-to-end and latency modes: concurrent sessions, like task slots sharing a GPU; in latency "
                    + "mode the arrivals are dealt to them in turn, a best case: a job's slot takes what its Kafka "
                    + "partitions bring (default: ${DEFAULT-VALUE}).")
    int streams;

    @Option(names = "--nms", defaultValue = "auto", paramLabel = "WHERE",
            converter = DetectionOptions.NmsPlacementConverter.class, description = DetectionOptions.NMS_HELP)
    NmsPlacement nms;

    @Option(names = "--profiles", defaultValue = EngineSpec.DEFAULT_PROFILES, paramLabel = "SETTING",
            description = "TensorRT optimisation profiles besides 1..max batch: auto (1 and 8), none, or sizes such as "
                    + "1,4,16 (default: ${DEFAULT-VALUE}).")
    String profiles;

    @Option(names = "--cuda-graphs", split = ",", defaultValue = "on", paramLabel = "on|off",
            description = "TensorRT: replay captured CUDA graphs (on) or launch kernels one by one (off); both for a "
                    + "side-by-side row each (default: ${DEFAULT-VALUE}).")
    List<String> cudaGraphs;

    @Option(names = "--pin-profile", split = ",", defaultValue = "-1", paramLabel = "INDEX",
            description = "Compute-only mode, TensorRT: run every batch on this profile index (0 = the 1..max profile, as "
                    + "plans with one profile did: the baseline of the profiles' speed-up); -1 = the best fitting "
                    + "profile, as jobs do. One row each (default: ${DEFAULT-VALUE}).")
    List<Integer> pinProfiles;

    @Option(names = "--latency", split = ",", paramLabel = "FRACTION",
            description = "Latency mode: Poisson arrivals at these fractions of the end-to-end max rate measured first "
                    + "(e.g. 0.1,0.5,0.9), submit-to-outcome p50/p95/p99 per rate and --batch-wait rule. Needs --images.")
    List<Double> latencyFractions;

    @Option(names = "--rates", split = ",", paramLabel = "IMG_S",
            description = "Latency mode: Poisson arrivals at these absolute rates, images/s. Needs --images.")
    List<Double> latencyRates;

    @Option(names = "--batch-wait", split = ",", defaultValue = "adaptive,fixed", paramLabel = "RULE",
            converter = BatchWaitConverter.class,
            description = "Latency mode: the batching rules compared on the same arrivals (default: ${DEFAULT-VALUE}).")
    List<BatchWait> batchWaits;

    @Option(names = "--max-delay-ms", defaultValue = "5", paramLabel = "MS",
            description = "Latency mode: batch.max-delay of the micro-batcher (default: ${DEFAULT-VALUE}, the job's).")
    long maxDelayMs;

    @Option(names = "--gpu-decode-hold-us", defaultValue = "1000", paramLabel = "US",
            description = "End-to-end and latency modes, GPU pre-processing: batch.gpu-decode-hold in microseconds, "
                    + "0 to 10000: a full batch's launch waits while the next batch gathers or has been decoding for "
                    + "less than this, at most twice this; 0 launches at once (default: ${DEFAULT-VALUE}, the job's).")
    long gpuDecodeHoldMicros;

    @Option(names = "--idle-spin-ms", defaultValue = "0", paramLabel = "MS",
            description = "Latency mode: batch.idle-spin in milliseconds, 0 to 1000: how long each slot's prepare thread "
                    + "polls for the next image before it parks (default: ${DEFAULT-VALUE}, the job's: parks at once).")
    long idleSpinMillis;

    @Option(names = "--latency-images", defaultValue = "100", paramLabel = "N",
            description = "Latency mode: images per rate and rule, at least (more where --seconds at the rate gives "
                    + "more) (default: ${DEFAULT-VALUE}).")
    int latencyImages;

    @Option(names = "--latency-rounds", defaultValue = "4", paramLabel = "N",
            description = "Latency mode: each rate's images run in N rounds, the rules taking turns, so that a "
                    + "machine whose load changes meanwhile weighs on both alike (default: ${DEFAULT-VALUE}).")
    int latencyRounds;

    @Option(names = "--warm-up-seconds", defaultValue = "1", paramLabel = "S",
            description = "Latency mode: each run's unmeasured warm-up at its rate, at least; it goes on (up to "
                    + LatencyBench.WARM_UP_LIMIT + "x) while it still captures new CUDA graphs; 0: one image alone "
                    + "(default: ${DEFAULT-VALUE}).")
    double warmUpSeconds;

    @Override
    public Integer call() throws Exception {
        long maxHold = BatchingConfig.MAX_GPU_DECODE_HOLD.toNanos() / 1000;
        if (gpuDecodeHoldMicros < 0 || gpuDecodeHoldMicros > maxHold) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--gpu-decode-hold-us must be from 0 "
                    + "(no hold) to " + maxHold + ", got " + gpuDecodeHoldMicros);
        }
        if (streams < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--streams must be at least 1");
        }
        if (idleSpinMillis < 0 || idleSpinMillis > BatchingConfig.MAX_IDLE_SPIN.toMillis()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--idle-spin-ms must be from 0 (park at "
                    + "once) to " + BatchingConfig.MAX_IDLE_SPIN.toMillis() + ", got " + idleSpinMillis);
        }
        if (latencyFractions != null || latencyRates != null) {
            return latency();
        }
        if (preprocess != null && !preprocess.isEmpty()) {
            return endToEnd();
        }
        PrintWriter out = spec.commandLine().getOut();
        int maxBatch = batches.stream().mapToInt(Integer::intValue).max().orElse(1);
        out.println("| backend | precision | graphs | profile | batch | compute img/s | compute ms/run | host-to-host img/s "
                + "| p50 ms | p95 ms | p99 ms |");
        out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        for (EngineSpec engineSpec : engineSpecs(maxBatch, PostprocessConfig.DEFAULT)) {
            boolean tensorRt = engineSpec.backend() == Backend.TENSORRT;
            try (InferenceEngine engine = Engines.open(engineSpec)) {
                for (int pin : tensorRt ? pinProfiles : List.of(-1)) {
                    String row = String.format(Locale.ROOT, "| %s | %s | %s | %s |", engineSpec.backend().label(),
                            engineSpec.precision().label(), tensorRt ? (engine.cudaGraphs() ? "on" : "off") : "n/a",
                            tensorRt ? (pin < 0 ? "best fit" : "pinned " + pin) : "n/a");
                    try (EngineSession session = openSession(engine, pin);
                         InputBatch input = session.newInputBatch()) {
                        fill(input, engine);
                        for (int batch : batches) {
                            if (!fits(engine, batch, out) || !fitsPinned(engine, pin, batch, out)) {
                                continue;
                            }
                            out.println(row + measure(session, input, batch));
                            out.flush();
                        }
                    }
                }
            }
        }
        return 0;
    }

    /** A session on {@code pin}'s profile (TensorRT reads the pin when the session opens), or best fit for -1. */
    private static EngineSession openSession(InferenceEngine engine, int pin) {
        if (pin < 0) {
            return engine.openSession();
        }
        System.setProperty(TensorRtEngine.PIN_PROFILE_PROPERTY, Integer.toString(pin));
        try {
            return engine.openSession();
        } finally {
            System.clearProperty(TensorRtEngine.PIN_PROFILE_PROPERTY);
        }
    }

    /** False, with a line saying why, for a batch larger than the pinned profile's range. */
    private static boolean fitsPinned(InferenceEngine engine, int pin, int batch, PrintWriter out) {
        if (pin < 0 || !(engine instanceof TensorRtEngine trt)) {
            return true;
        }
        int max = trt.profiles().batches().get(Math.min(pin, trt.profiles().count() - 1));
        if (batch <= max) {
            return true;
        }
        out.printf("batch %d skipped on pinned profile %d: its range is 1..%d%n", batch, pin, max);
        return false;
    }

    /** False, with a line saying why, for a batch larger than the model's fixed batch. */
    private static boolean fits(InferenceEngine engine, int batch, PrintWriter out) {
        if (batch <= engine.info().maxBatch()) {
            return true;
        }
        out.printf("batch %d skipped: %s has a fixed batch size of %d (export it with dynamic=True to batch more)%n",
                batch, engine.model().name(), engine.info().maxBatch());
        return false;
    }

    /** Every backend and precision asked for (precisions for TensorRT only), with NMS in the plan if asked for. */
    private List<EngineSpec> engineSpecs(int maxBatch, PostprocessConfig thresholds) {
        List<EngineSpec> specs = new ArrayList<>();
        for (String b : backends) {
            Backend backend = Backend.parse(b);
            List<Precision> list = backend == Backend.TENSORRT ? precisions.stream().map(Precision::parse).toList()
                    : List.of(Precision.FP32);
            for (Precision precision : list) {
                for (String graphs : backend == Backend.TENSORRT ? cudaGraphs : List.of("on")) {
                    EngineSpec spec = new EngineSpec(model.toString(), backend, precision, maxBatch, 0,
                            calib == null ? null : calib.toString()).withProfiles(profiles)
                            .withCudaGraphs(switchValue(graphs, "--cuda-graphs"));
                    specs.add(DetectionOptions.withNms(spec, nms, thresholds));
                }
            }
        }
        return specs;
    }

    /** {@code --gpu-decode-hold-us} as a duration, checked by {@link #call} before anything opens. */
    private java.time.Duration gpuDecodeHold() {
        return java.time.Duration.of(gpuDecodeHoldMicros, java.time.temporal.ChronoUnit.MICROS);
    }

    /** One row per backend, precision, batch and path: images/s and the ratio to compute-only. */
    private int endToEnd() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        List<byte[]> records = readImages("--preprocess");
        PredictorConfig config = PredictorConfig.DEFAULT;
        int maxBatch = batches.stream().mapToInt(Integer::intValue).max().orElse(1);
        out.printf("%d images from %s, %d stream(s), NMS %s, batch.gpu-decode-hold %d us%n", records.size(), imagesDir,
                streams, nms.label(), gpuDecodeHoldMicros);
        out.println("| backend | precision | batch | path | img/s | x compute-only |");
        out.println("|---|---|---|---|---|---|");
        for (EngineSpec engineSpec : engineSpecs(maxBatch, config.postprocess())) {
            Backend backend = engineSpec.backend();
            Precision precision = engineSpec.precision();
            try (InferenceEngine engine = Engines.open(engineSpec)) {
                PipelineBench bench = new PipelineBench(engine, records, streams, seconds);
                for (int batch : batches) {
                    if (!fits(engine, batch, out)) {
                        continue;
                    }
                    double compute = bench.computeOnly(batch);
                    out.println(String.format(Locale.ROOT, "| %s | %s | %d | compute only | %.1f | 1.00 |",
                            backend.label(), precision.label(), batch, compute));
                    out.flush();
                    if (preprocess.contains(Preprocessing.GPU)) {
                        double pre = bench.gpuPreprocessingOnly(batch, config);
                        out.println(String.format(Locale.ROOT, "| %s | %s | %d | gpu pre-processing only (no inference) | %.1f | %.2f |",
                                backend.label(), precision.label(), batch, pre, pre / compute));
                    }
                    for (Preprocessing where : preprocess) {
                        for (int threads : decodeThreads) {
                            double e2e = bench.endToEnd(batch, config, where, threads, gpuDecodeHold())
                                    .imagesPerSecond();
                            out.println(String.format(Locale.ROOT, "| %s | %s | %d | %s pre-processing%s, end to end | %.1f | %.2f |",
                                    backend.label(), precision.label(), batch, where.label(), decodeLabel(threads), e2e,
                                    e2e / compute));
                            out.flush();
                        }
                    }
                }
            }
        }
        return 0;
    }

    /**
     * Latency mode: per backend, precision and batch, the end-to-end max rate (over {@code --streams} slots, as {@link #endToEnd}), then
     * Poisson arrivals at each rate asked for, one row per batching rule on the same arrivals.
     */
    private int latency() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        List<byte[]> records = readImages("--latency/--rates");
        List<Double> fractions = latencyFractions == null ? List.of() : latencyFractions;
        for (double f : fractions) {
            if (!(f > 0 && f <= 1)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--latency takes fractions of the max rate, above 0 and at most 1, got " + f);
            }
        }
        List<Double> absolute = latencyRates == null ? List.of() : latencyRates;
        if (absolute.stream().anyMatch(r -> !(r > 0))) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--rates must be positive images/s");
        }
        if (latencyImages < 1 || latencyRounds < 1 || maxDelayMs < 0 || !(warmUpSeconds >= 0)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--latency-images and --latency-rounds "
                    + "must be at least 1, --max-delay-ms and --warm-up-seconds at least 0");
        }
        Preprocessing where = preprocess == null || preprocess.isEmpty() ? Preprocessing.AUTO : preprocess.get(0);
        PredictorConfig config = PredictorConfig.DEFAULT.withPreprocessing(where);
        int threads = decodeThreads.get(0);
        int maxBatch = batches.stream().mapToInt(Integer::intValue).max().orElse(1);
        out.printf("%d images from %s, %d slot(s), %s pre-processing, batch.max-delay %d ms, batch.gpu-decode-hold %d us, "
                + "batch.idle-spin %d ms, Poisson arrivals in %d round(s) per rate, rules taking turns, each run after a warm-up of %s s or "
                + "more; latency: submission to outcome; to batch start: submission to its batch entering the engine "
                + "(decode + waiting for the batch)%n", records.size(), imagesDir, streams, where.label(), maxDelayMs,
                gpuDecodeHoldMicros, idleSpinMillis, latencyRounds, warmUpSeconds);
        out.println("| backend | precision | batch | rate img/s | of max | batch.wait | images | p50 ms | p95 ms | p99 ms "
                + "| to batch start p50 ms | p99 ms | mean batch |");
        out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        List<String> stageRows = new ArrayList<>();
        List<String> longRows = new ArrayList<>();
        for (EngineSpec engineSpec : engineSpecs(maxBatch, config.postprocess())) {
            try (InferenceEngine engine = Engines.open(engineSpec)) {
                String row = engineSpec.backend().label() + " | " + engineSpec.precision().label()
                        + (engineSpec.backend() == Backend.TENSORRT && !engine.cudaGraphs() ? ", graphs off" : "");
                LatencyBench bench = new LatencyBench(engine, records, warmUpSeconds, streams);
                for (int batch : batches) {
                    if (!fits(engine, batch, out)) {
                        continue;
                    }
                    PipelineBench.EndToEnd saturated = fractions.isEmpty() ? null
                            : new PipelineBench(engine, records, streams, seconds)
                                    .endToEnd(batch, config, where, threads, gpuDecodeHold());
                    double max = saturated == null ? 0 : saturated.imagesPerSecond();
                    if (saturated != null) {
                        out.println(String.format(Locale.ROOT, "| %s | %d | %.1f (max, saturated) | 1.00 | | | | | | | | |",
                                row, batch, max));
                        String leading = String.format(Locale.ROOT, "| %s | %d | %.1f (max, saturated) | |", row, batch, max);
                        stageRows.add(leading + StageTable.cells(saturated.window(), 0, null));
                        longRows.add(leading + StageTable.longStretchCells(saturated.window()));
                    }
                    List<Double> rates = new ArrayList<>();
                    fractions.forEach(f -> rates.add(f * max));
                    rates.addAll(absolute);
                    for (double rate : rates) {
                        int count = Math.max(latencyImages, (int) Math.ceil(rate * seconds));
                        int rounds = Math.min(latencyRounds, count);
                        Map<BatchWait, LatencyBench.Samples> samples = new EnumMap<>(BatchWait.class);
                        for (int round = 0; round < rounds; round++) {
                            int images = count / rounds + (round < count % rounds ? 1 : 0);
                            for (BatchWait wait : batchWaits) {
                                BatchingConfig batching = new BatchingConfig(batch,
                                        java.time.Duration.ofMillis(maxDelayMs), threads, wait, gpuDecodeHold(),
                                        java.time.Duration.ofMillis(idleSpinMillis));
                                bench.run(config, batching, rate, images, 18L * round + Double.hashCode(rate),
                                        samples.computeIfAbsent(wait, w -> new LatencyBench.Samples()));
                            }
                        }
                        samples.forEach((wait, r) -> {
                            out.println(String.format(Locale.ROOT,
                                    "| %s | %d | %.1f | %s | %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |",
                                    row, batch, r.arrivalsPerSecond(), max > 0 ? String.format(Locale.ROOT, "%.2f", rate / max) : "",
                                    wait.label(), r.imagesCell(), r.latencyMillis(50), r.latencyMillis(95), r.latencyMillis(99),
                                    r.toBatchStartMillis(50), r.toBatchStartMillis(99), r.meanBatch()));
                            String leading = String.format(Locale.ROOT, "| %s | %d | %.1f | %s |", row, batch,
                                    r.arrivalsPerSecond(), wait.label());
                            stageRows.add(leading + StageTable.cells(r.measured(), r.warmUpSeconds(), r.warmUpCaptures()));
                            longRows.add(leading + StageTable.longStretchCells(r.measured()));
                        });
                        out.flush();
                    }
                }
            }
        }
        out.println();
        out.println("Where the time goes per batch, measured windows only (warm-ups left out): mean ms per batch "
                + "(share of its thread's wall time) per stage of the micro-batcher's prepare and inference threads; "
                + "CUDA graph captures (count, total ms) in the warm-ups and in the measured windows; nvJPEG's "
                + "re-initialisations for a new batch size (count, total ms); callbacks: the listener's, per batch, "
                + "summed over threads");
        String leading = "| backend | precision | batch | rate img/s | batch.wait |";
        out.println(StageTable.header(leading));
        stageRows.forEach(out::println);
        out.println();
        out.println("Long stretches, measured windows only: per stage, how many of its uninterrupted stretches (one per "
                + "batch; per image for decode, per wait for the others) took at least 1/2/4/8/16 ms: where the tail "
                + "(p99) comes from");
        out.println(StageTable.longStretchesHeader(leading));
        longRows.forEach(out::println);
        return 0;
    }

    /** The encoded images of {@code --images}, which {@code mode} needs. */
    private List<byte[]> readImages(String mode) throws java.io.IOException {
        if (imagesDir == null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    mode + " needs --images DIR: the encoded images to run end to end");
        }
        List<byte[]> records = new ArrayList<>();
        for (Path f : ImageInputs.expand(List.of(imagesDir))) {
            records.add(ImageInputs.read(f));
        }
        return records;
    }

    static final class BatchWaitConverter implements picocli.CommandLine.ITypeConverter<BatchWait> {
        @Override
        public BatchWait convert(String value) {
            return BatchWait.parse(value);
        }
    }

    /** How the row's images were decoded, when more than one decode setting is compared. */
    private String decodeLabel(int threads) {
        if (decodeThreads.size() < 2) {
            return "";
        }
        return threads == BatchingConfig.AUTO_DECODE_THREADS ? " (decode threads: auto)" : " (" + threads + " decode thread(s))";
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

    private boolean switchValue(String value, String option) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "on", "true" -> true;
            case "off", "false" -> false;
            default -> throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    option + " takes on and/or off, got '" + value + "'");
        };
    }

    /** The row's measured columns from batch on: compute-only, host-to-host and its latency percentiles. */
    private String measure(EngineSession session, InputBatch input, int batch) {
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
        return String.format(Locale.ROOT, " %d | %.1f | %.3f | %.1f | %.2f | %.2f | %.2f |", batch, compute,
                1000.0 * batch / compute, hostToHost, pct(sorted, 50), pct(sorted, 95), pct(sorted, 99));
    }

    /** The {@code p}-th percentile of nanosecond values, in ms. */
    public static double pct(long[] sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }
}
