package io.streamdetect.bench;

import static io.streamdetect.jobs.StreamingJobOptions.*;

import io.streamdetect.cli.BenchCommand;
import io.streamdetect.cli.ImageInputs;
import io.streamdetect.cli.PipelineBench;
import io.streamdetect.cuda.Cuda;
import io.streamdetect.engine.EngineSpec;
import io.streamdetect.engine.Engines;
import io.streamdetect.engine.InferenceEngine;
import io.streamdetect.jobs.LocalSlots;
import io.streamdetect.jobs.StreamingDetectionJob;
import io.streamdetect.jobs.demo.EmbeddedKafka;
import io.streamdetect.jobs.kafka.ImageProducer;
import io.streamdetect.jobs.kafka.RecordConsumer;
import io.streamdetect.records.DeadLetter;
import io.streamdetect.records.DetectionRecord;
import io.streamdetect.records.ImageRecord;
import io.streamdetect.testing.CheckpointFailureLog;
import io.streamdetect.testing.SharedFiles;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.checkpoint.CheckpointStatsCounts;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.checkpoint.FailedCheckpointStats;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The whole streaming job at its default settings (only backend, precision, max batch and the task slots are
 * given), through a real in-process Kafka broker and a Flink MiniCluster, beside the engine's compute-only
 * throughput on the same plan in the same run ({@link PipelineBench#computeOnly}, what {@code bench} reports).
 *
 * <p>Per slot count: (1) compute-only img/s at the max batch, one session per slot, and with one session alone
 * ({@code bench}'s figure for the plan); (2) a bounded job over all
 * the records: steady img/s (records / first to last processingTime), wall img/s (records / submit to finish),
 * records committed (read_committed) and duplicate ids, failed and completed checkpoints (the job's checkpoint
 * statistics), GPU memory in use during the job beyond what was in use before it, per slot (cudaMemGetInfo,
 * peak of samples every 200 ms; n/a without CUDA); (3) latency, processing time minus ingest time (the
 * producer's send time, the record's eventTime), p50/p95/p99 with records produced at fractions of the steady
 * rate to an unbounded job.
 *
 * <p>With {@code --restarts N}: one more bounded run per slot count that fails over N times ({@link
 * InjectedFailovers}), reporting GPU memory in use (sampled every 200 ms, {@link FailoverMemory}): the peak of
 * attempt 1 and of attempt N + 1, the trough after the first and after the Nth restart, each with its growth, and
 * exactly-once counts.
 *
 * <p>Run: {@code bin/bench-flink job --backend tensorrt --precision fp16 --max-batch 64 --records 20000 --slots 1,2,4}.
 */
@Command(name = "bench-flink job", mixinStandardHelpOptions = true,
        description = "The streaming job at default settings through Kafka, beside compute-only throughput.")
public final class StreamingJobBenchmark implements Callable<Integer> {
    private static final String INPUT = "bench-images";
    private static final String AUTO = "auto";

    @Option(names = {"-m", "--model"}, description = "ONNX model (default: the shared yolo11n.onnx).")
    Path model;

    @Option(names = "--backend", defaultValue = "auto", description = "Job setting backend (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--precision", defaultValue = "fp32", description = "Job setting precision (default: ${DEFAULT-VALUE}).")
    String precision;

    @Option(names = "--max-batch", defaultValue = "8", description = "Job setting batch.max-size (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--slots", split = ",", defaultValue = "1", description = "Task slots (parallelism), each a row; "
            + "auto: what a local stream run without -p uses (LocalSlots: 2 with TensorRT, else 1) (default: ${DEFAULT-VALUE}).")
    List<String> slots;

    @Option(names = "--records", defaultValue = "20000", description = "Image records in the input topic (default: ${DEFAULT-VALUE}).")
    int records;

    @Option(names = "--images", paramLabel = "DIR", description = "JPEGs cycled into the records (default: shared coco8/images).")
    Path images;

    @Option(names = "--seconds", defaultValue = "5", description = "Compute-only measuring time (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--load", split = ",", defaultValue = "0.25,0.5,0.9",
            description = "Latency runs at these fractions of the measured steady rate (default: ${DEFAULT-VALUE}).")
    List<Double> loads;

    @Option(names = "--no-latency", description = "Skip the latency runs.")
    boolean noLatency;

    @Option(names = "--latency-seconds", defaultValue = "10", description = "Length of each latency run (default: ${DEFAULT-VALUE}).")
    double latencySeconds;

    @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE",
            description = "A job setting beyond the defaults, e.g. -D preprocess=cpu (each is printed). Repeatable.")
    Map<String, String> settings = new java.util.LinkedHashMap<>();

    @Option(names = "--restarts", defaultValue = "0", paramLabel = "N",
            description = "After the throughput run, one more bounded run that fails over N times (a map before the "
                    + "detection operator throws at one record until N failures are done; tasks restart in the same "
                    + "TaskManager): GPU memory in use, peak of the first and the last attempt and trough after the "
                    + "first and the Nth restart, and records exactly once "
                    + "(default: ${DEFAULT-VALUE}: no such run).")
    int restarts;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "Checkpoints go here (default: a temporary folder).")
    Path workDir;

    @Spec
    CommandSpec spec;

    /** Where the tables go; tests read them. */
    java.io.PrintStream out = System.out;
    private List<byte[]> jpegs;
    private int runs;
    /** Compute-only img/s by session count, measured once per run: one session's is every row's second baseline. */
    private final Map<Integer, Double> computeOnly = new java.util.HashMap<>();

    public static void main(String[] args) {
        int exit = new CommandLine(new StreamingJobBenchmark()).execute(args);
        System.exit(exit);
    }

    @Override
    public Integer call() throws Exception {
        slots = slots.stream().map(s -> s.trim().toLowerCase(Locale.ROOT)).toList();
        for (String s : slots) {
            if (!s.equals(AUTO) && !s.matches("[1-9]\\d{0,2}")) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--slots takes slot counts (1 to 999) or auto, e.g. --slots auto,1; got " + s);
            }
        }
        model = model != null ? model : SharedFiles.model();
        images = images != null ? images : SharedFiles.coco8().resolve("images");
        workDir = workDir != null ? workDir : Files.createTempDirectory("streamdetect-bench-job");
        jpegs = readImages(images);
        // a user's topic has partitions for the slots a local run picks: auto never finds fewer than it wants
        int partitions = Math.max(slots.contains(AUTO) ? LocalSlots.TENSORRT_SLOTS : 1,
                slots.stream().filter(s -> !s.equals(AUTO)).mapToInt(Integer::parseInt).max().orElse(1));
        out.printf(Locale.ROOT, "%d records cycling %d images from %s; backend %s, precision %s, max batch %d; "
                + "every other setting at its default%s%n", records, jpegs.size(), images, backend, precision, maxBatch,
                settings.isEmpty() ? "" : " except " + settings);
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(partitions, INPUT);
            List<Integer> slotCounts = slotCounts(kafka.bootstrapServers());
            produce(kafka.bootstrapServers(), INPUT, records, jpegs);
            List<String> latencyRows = new ArrayList<>();
            List<String> notes = new ArrayList<>();
            List<String> threadRows = new ArrayList<>();
            List<String> timelineRows = new ArrayList<>();
            out.println("| slots | compute-only img/s | steady img/s | x compute-only | wall img/s | records committed "
                    + "| duplicate ids | failed checkpoints | completed checkpoints | GPU memory per slot "
                    + "| one session's compute-only img/s | x one session's |");
            out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
            for (int slotCount : slotCounts) {
                double compute = computeOnly(slotCount);
                // bench's own figure for the plan (one session), beside the slots' own sessions together
                double oneSession = computeOnly(1);
                Throughput t = throughput(kafka, slotCount);
                // a bounded job's last checkpoint: declined by tasks that finish, or aborted as the job ends
                long closing = t.failures.stream().filter(f -> f.reason().contains("task is closing")
                        || f.reason().contains("Checkpoint Coordinator is suspending")).count();
                out.printf(Locale.ROOT, "| %d | %.1f | %.1f | %.2f | %.1f | %d of %d | %d | %d (%d at end of input) | %d | %s "
                        + "| %.1f | %.3f |%n",
                        slotCount, compute, t.steady, t.steady / compute, t.wall, t.committed, records, t.duplicates,
                        t.failedCheckpoints, closing, t.completedCheckpoints, t.gpuMemoryPerSlot, oneSession,
                        t.steady / oneSession);
                t.deadLetters.forEach((kind, n) -> notes.add(String.format(Locale.ROOT,
                        "- %d slot(s): %d of the records committed are %s dead letters", slotCount, n, kind)));
                // every failed checkpoint; identical ones (triggers refused in a row) as one line with their count
                Map<String, Integer> failureLines = new java.util.LinkedHashMap<>();
                t.failures.forEach(f -> failureLines.merge("(" + f.checkpoint() + "): " + f.reason(), 1, Integer::sum));
                failureLines.forEach((line, n) -> notes.add(String.format(Locale.ROOT, "- %d slot(s): %s failed checkpoint %s",
                        slotCount, n == 1 ? "a" : n + " x", line)));
                if (t.failures.size() < t.failedCheckpoints) {
                    notes.add(String.format(Locale.ROOT, "- %d slot(s): %d failed checkpoint(s) without a reason in "
                            + "Flink's log or checkpoint history", slotCount, t.failedCheckpoints - t.failures.size()));
                }
                threadRows.addAll(threadRows(slotCount, t));
                timelineRows.add(String.format(Locale.ROOT, "| %d | %.1f | %.1f | %.1f | %s | %s |", slotCount,
                        t.timeline.rate(0.1, 0.9), t.timeline.rate(0, 0.1), t.timeline.rate(0.9, 1),
                        t.timeline.ratesCell(TIMELINE_BIN_MILLIS), t.timeline.checkpointsCell()));
                for (double load : noLatency ? List.<Double>of() : loads) {
                    latencyRows.add(latency(kafka, slotCount, load, t.steady));
                }
            }
            notes.forEach(out::println);
            out.println();
            out.println("Busiest threads in the steady window (CPU time between the samples around it, every 100 ms; "
                    + "a thread near 100% busy is what the job waits for):");
            out.println("| slots | thread | CPU ms | busy | CPU us per image |");
            out.println("|---|---|---|---|---|");
            threadRows.forEach(out::println);
            out.println();
            out.println("Timeline of the detections (their processingTime): the rate over the middle 80% of them, over "
                    + "the first and the last 10%, per " + TIMELINE_BIN_MILLIS + " ms from the first on (the last interval "
                    + "over its own length), and the completed "
                    + "checkpoints (trigger time since the first detection: end to end, longest synchronous part, size):");
            out.println("| slots | middle 80% img/s | first 10% img/s | last 10% img/s | img/s per " + TIMELINE_BIN_MILLIS
                    + " ms | checkpoints |");
            out.println("|---|---|---|---|---|---|");
            timelineRows.forEach(out::println);
            if (restarts > 0) {
                out.println();
                out.println("| slots | failovers | GPU memory in use, peak of attempt 1 | peak of attempt " + (restarts + 1)
                        + " | growth | trough after restart 1 | trough after restart " + restarts
                        + " | growth | records committed | duplicate ids |");
                out.println("|---|---|---|---|---|---|---|---|---|---|");
                for (int slotCount : slotCounts) {
                    out.println(failovers(kafka, slotCount));
                }
            }
            if (!latencyRows.isEmpty()) {
                out.println();
                out.println("| slots | load | target img/s | sent img/s | records | p50 ms | p95 ms | p99 ms |");
                out.println("|---|---|---|---|---|---|---|---|");
                latencyRows.forEach(out::println);
            }
        }
        return 0;
    }

    /** The slot counts of the rows: {@code auto} resolved as a local stream run resolves it, saying how. */
    private List<Integer> slotCounts(String bootstrap) {
        List<Integer> counts = new ArrayList<>();
        for (String s : slots) {
            if (!s.equals(AUTO)) {
                counts.add(Integer.parseInt(s));
                continue;
            }
            Configuration c = benchmarkRun(bootstrap, INPUT, "auto-slots", model, backend, workDir);
            settings.forEach(c::setString);
            c.removeConfig(PARALLELISM);
            String why = LocalSlots.prepare(c, LocalSlots::inputTopicPartitions).orElseThrow();
            out.println("slots auto: " + why);
            counts.add(c.get(PARALLELISM));
        }
        return counts;
    }

    /**
     * The engine's compute alone at the max batch, one session per slot: {@code bench}'s own measurement, on the
     * job's own engine (the same plan: NMS where the job's settings put it, e.g. in the plan with nms auto).
     */
    private double computeOnly(int slotCount) throws Exception {
        Double measured = computeOnly.get(slotCount);
        if (measured == null) {
            measured = measureComputeOnly(slotCount);
            computeOnly.put(slotCount, measured);
        }
        return measured;
    }

    private double measureComputeOnly(int slotCount) throws Exception {
        EngineSpec spec = io.streamdetect.flink.DetectionOptions.builder(job("", INPUT, "compute-only", slotCount, true))
                .build().settings().engine();
        try (InferenceEngine engine = Engines.open(spec)) {
            return new PipelineBench(engine, jpegs, slotCount, seconds).computeOnly(maxBatch);
        }
    }

    /** The images under {@code dir} (or the one file), in the order records cycle through them. */
    static List<byte[]> readImages(Path dir) throws Exception {
        List<byte[]> read = new ArrayList<>();
        for (Path f : ImageInputs.expand(List.of(dir))) {
            read.add(ImageInputs.read(f));
        }
        return read;
    }

    /** {@code records} image records img-0, img-1, ... cycling through {@code jpegs}, into {@code topic}. */
    static void produce(String bootstrap, String topic, int records, List<byte[]> jpegs) throws Exception {
        try (ImageProducer producer = new ImageProducer(bootstrap, new Properties())) {
            for (int i = 0; i < records; i++) {
                producer.send(topic, record("img-" + i, jpegs.get(i % jpegs.size())));
            }
            producer.flush();
        }
    }

    static ImageRecord record(String id, byte[] jpeg) {
        return ImageRecord.newBuilder().setRecordId(id).setSourceId("bench").setEventTime(Instant.now())
                .setImage(ByteBuffer.wrap(jpeg)).setContentType("image/jpeg").build();
    }

    /** Only what a user gives (backend, precision, max batch, slots), plus where the records are. */
    private Configuration job(String bootstrap, String input, String run, int slotCount, boolean bounded) {
        Configuration c = benchmarkRun(bootstrap, input, run, model, backend, workDir);
        c.set(PRECISION, precision);
        c.set(MAX_BATCH_SIZE, maxBatch);
        c.set(PARALLELISM, slotCount);
        c.set(BOUNDED, bounded);
        settings.forEach(c::setString);
        return c;
    }

    /**
     * The settings every benchmark run of the streaming job shares: {@code input} read from the earliest offset, the
     * run's own output topics ({@code run}-detections, {@code run}-dead) and group, and a fresh checkpoint folder
     * under {@code workDir} (a local stream run's default is a folder under the cache directory).
     */
    static Configuration benchmarkRun(String bootstrap, String input, String run, Path model, String backend,
                                      Path workDir) {
        Configuration c = new Configuration();
        c.set(BOOTSTRAP_SERVERS, bootstrap);
        c.set(INPUT_TOPIC, input);
        c.set(OUTPUT_TOPIC, run + "-detections");
        c.set(DEAD_LETTER_TOPIC, run + "-dead");
        c.set(GROUP_ID, run);
        c.set(MODEL, model.toString());
        c.set(BACKEND, backend);
        c.set(STARTING_OFFSETS, "earliest");
        c.set(CHECKPOINT_DIR, workDir.resolve(run).toUri().toString());
        return c;
    }

    record Throughput(double steady, double wall, int committed, int duplicates, long failedCheckpoints,
                      long completedCheckpoints, String gpuMemoryPerSlot, List<CheckpointFailureLog.Failure> failures,
                      Map<String, Integer> deadLetters, long detections, ThreadCpuSampler.Span threads,
                      RunTimeline timeline) {}

    /** The timeline's interval: about a dozen of them in a 20,000-image run at GPU rates. */
    private static final long TIMELINE_BIN_MILLIS = 250;

    /** Threads shown per run: the task threads, fetchers, batcher threads and broker threads that did the most. */
    private static final int BUSIEST_THREADS = 12;

    private Throughput throughput(EmbeddedKafka kafka, int slotCount) throws Exception {
        String run = "bench-" + (++runs) + "-p" + slotCount;
        kafka.createTopics(slotCount, run + "-detections", run + "-dead");
        long memoryBefore = Cuda.memoryInUse(0); // -1 without CUDA: then nothing is sampled
        AtomicLong peak = new AtomicLong(-1);
        try (CheckpointFailureLog failureLog = new CheckpointFailureLog(); MiniCluster cluster = cluster(slotCount);
             GpuMemorySampler sampler = new GpuMemorySampler(memoryBefore >= 0, m -> peak.accumulateAndGet(m, Math::max));
             ThreadCpuSampler cpu = new ThreadCpuSampler(100)) {
            long start = System.nanoTime();
            JobID job = submit(cluster, job(kafka.bootstrapServers(), INPUT, run, slotCount, true));
            var result = cluster.requestJobResult(job).get();
            double wallSeconds = (System.nanoTime() - start) / 1e9;
            if (!result.isSuccess()) {
                throw new IllegalStateException("the job failed", result.getSerializedThrowable().orElse(null));
            }
            CheckpointStatsSnapshot stats = cluster.getArchivedExecutionGraph(job).get().getCheckpointStatsSnapshot();
            CheckpointStatsCounts checkpoints = stats.getCounts();
            List<CheckpointFailureLog.Failure> failures = failures(failureLog.of(job), stats);
            Outputs out = readOutputs(kafka.bootstrapServers(), run, records);
            String perSlot = memoryBefore < 0 ? "n/a (no CUDA)" : String.format(Locale.ROOT, "%.2f GB",
                    (peak.get() - memoryBefore) / 1e9 / slotCount);
            // steady: detection records over their own processing-time span (dead letters, e.g. TIMEOUTs, are no
            // throughput); it needs many batches: the images of one batch share a processing time
            return new Throughput(out.detections / Math.max(1e-3, (out.lastMillis - out.firstMillis) / 1000.0),
                    out.distinct() / wallSeconds, out.distinct(), out.total - out.distinct(),
                    checkpoints.getNumberOfFailedCheckpoints(), checkpoints.getNumberOfCompletedCheckpoints(), perSlot,
                    failures, out.deadLetterKinds, out.detections,
                    cpu.busiest(out.firstMillis, out.lastMillis, BUSIEST_THREADS),
                    new RunTimeline(out.processingMillis, completed(stats)));
        }
    }

    private static List<String> threadRows(int slotCount, Throughput t) {
        List<String> rows = new ArrayList<>();
        double wall = Math.max(1, t.threads.wallNanos());
        for (ThreadCpu.Busy b : t.threads.busiest()) {
            rows.add(String.format(Locale.ROOT, "| %d | %s | %.1f | %.0f%% | %.1f |", slotCount, b.name().replace('|', '/'),
                    b.cpuNanos() / 1e6, 100 * b.cpuNanos() / wall, b.cpuNanos() / 1e3 / Math.max(1, t.detections)));
        }
        return rows;
    }

    /**
     * The run's completed checkpoints, oldest first, for its timeline: those of Flink's checkpoint history, which
     * keeps the latest 10 (web.checkpoints.history), so a long run lists fewer than it completed.
     */
    static List<RunTimeline.Checkpoint> completed(CheckpointStatsSnapshot stats) {
        List<RunTimeline.Checkpoint> completed = new ArrayList<>();
        for (var c : stats.getHistory().getCheckpoints()) {
            if (c instanceof CompletedCheckpointStats done) {
                long sync = done.getAllTaskStateStats().stream()
                        .mapToLong(t -> t.getSummaryStats().getSyncCheckpointDurationStats().getMaximum())
                        .max().orElse(0);
                completed.add(new RunTimeline.Checkpoint(done.getCheckpointId(), done.getTriggerTimestamp(),
                        done.getEndToEndDuration(), sync, done.getStateSize()));
            }
        }
        completed.sort(Comparator.comparingLong(RunTimeline.Checkpoint::id));
        return completed;
    }

    /**
     * Every failed checkpoint with its reason: those Flink logged (all of them, trigger failures included, which
     * have no history entry), then any failed checkpoint of the history that the log missed.
     */
    static List<CheckpointFailureLog.Failure> failures(List<CheckpointFailureLog.Failure> logged,
                                                       CheckpointStatsSnapshot stats) {
        List<CheckpointFailureLog.Failure> all = new ArrayList<>(logged);
        for (var c : stats.getHistory().getCheckpoints()) {
            String id = "checkpoint " + c.getCheckpointId();
            if (c instanceof FailedCheckpointStats failed && logged.stream().noneMatch(f -> f.checkpoint().equals(id))) {
                all.add(new CheckpointFailureLog.Failure("", id, String.valueOf(failed.getFailureMessage())));
            }
        }
        return all;
    }

    /**
     * A bounded run over all the records that fails over {@link #restarts} times ({@link InjectedFailovers}), with a
     * restart strategy allowing it: GPU memory in use (device 0, every process) per attempt ({@link
     * FailoverMemory}), and whether every record still came back exactly once.
     */
    private String failovers(EmbeddedKafka kafka, int slotCount) throws Exception {
        String run = "failover-" + (++runs) + "-p" + slotCount;
        kafka.createTopics(slotCount, run + "-detections", run + "-dead");
        boolean cuda = Cuda.memoryInUse(0) >= 0;
        InjectedFailovers.arm("img-" + records / 2, restarts);
        FailoverMemory memory = new FailoverMemory();
        Configuration restartStrategy = new Configuration();
        restartStrategy.setString("restart-strategy.type", "fixed-delay");
        restartStrategy.setString("restart-strategy.fixed-delay.attempts", String.valueOf(restarts + 5));
        restartStrategy.setString("restart-strategy.fixed-delay.delay", "100 ms");
        try (MiniCluster cluster = cluster(slotCount); GpuMemorySampler sampler = new GpuMemorySampler(cuda,
                m -> memory.record(InjectedFailovers.FAILOVERS.get() + 1, m))) {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(restartStrategy);
            StreamingDetectionJob.build(env, job(kafka.bootstrapServers(), INPUT, run, slotCount, true),
                    images -> images.map(new InjectedFailovers()).name("injected-failovers")
                            .returns(new AvroTypeInfo<>(ImageRecord.class)));
            JobID job = cluster.submitJob(env.getStreamGraph()).get().getJobID();
            var result = cluster.requestJobResult(job).get();
            if (!result.isSuccess()) {
                throw new IllegalStateException("the failover job failed", result.getSerializedThrowable().orElse(null));
            }
        }
        Outputs out = readOutputs(kafka.bootstrapServers(), run, records);
        int failed = InjectedFailovers.FAILOVERS.get();
        return String.format(Locale.ROOT, "| %d | %d of %d | %s | %d of %d | %d |", slotCount, failed, restarts,
                memory.cells(cuda, restarts), out.distinct(), records, out.total - out.distinct());
    }

    /**
     * Fails its task at one record until the benchmark's number of failovers is done; each restart replays from the
     * last checkpoint to that record again (the source's checkpointed offsets never pass it before then). Static
     * state: the MiniCluster runs in this JVM, and a restart deserializes fresh instances.
     */
    static final class InjectedFailovers implements org.apache.flink.api.common.functions.MapFunction<ImageRecord, ImageRecord> {
        /** Failovers thrown so far: attempt FAILOVERS + 1 is running (or starting). */
        static final java.util.concurrent.atomic.AtomicInteger FAILOVERS = new java.util.concurrent.atomic.AtomicInteger();
        private static volatile String poison;
        private static volatile int wanted;

        static void arm(String poisonId, int failovers) {
            poison = poisonId;
            wanted = failovers;
            FAILOVERS.set(0);
        }

        @Override
        public ImageRecord map(ImageRecord image) {
            if (image.getRecordId().equals(poison) && FAILOVERS.getAndUpdate(n -> n < wanted ? n + 1 : n) < wanted) {
                throw new IllegalStateException("benchmark failover " + FAILOVERS.get() + " of " + wanted);
            }
            return image;
        }
    }

    /** Records offered at {@code load} × the steady rate to an unbounded job; latency of what comes back. */
    private String latency(EmbeddedKafka kafka, int slotCount, double load, double steady) throws Exception {
        String run = "latency-" + (++runs) + "-p" + slotCount;
        String input = run + "-images";
        kafka.createTopics(slotCount, input, run + "-detections", run + "-dead");
        double rate = load * steady;
        int count = (int) Math.max(10, rate * latencySeconds);
        try (MiniCluster cluster = cluster(slotCount)) {
            JobID job = submit(cluster, job(kafka.bootstrapServers(), input, run, slotCount, false));
            // started, not just submitted: records sent while the model loads would measure the start-up
            waitForFirstCheckpoint(cluster, job);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong sendNanos = new AtomicLong();
            Thread producer = new Thread(() -> sendNanos.set(produceAt(kafka.bootstrapServers(), input, rate, count, stop)), run);
            producer.start();
            Outputs out;
            try {
                out = readOutputs(kafka.bootstrapServers(), run, count);
            } finally {
                stop.set(true);
                producer.join();
                cluster.cancelJob(job).get();
            }
            long[] sorted = out.latencyNanos.stream().mapToLong(Long::longValue).sorted().toArray();
            // what the producer managed: at high rates one in-process producer may fall short of the target
            double sent = count / Math.max(1e-9, sendNanos.get() / 1e9);
            return String.format(Locale.ROOT, "| %d | %.0f%% | %.1f | %.1f | %d | %.0f | %.0f | %.0f |", slotCount, load * 100,
                    rate, sent, sorted.length, BenchCommand.pct(sorted, 50), BenchCommand.pct(sorted, 95), BenchCommand.pct(sorted, 99));
        }
    }

    /** Sends {@code count} records at {@code rate}/s; returns the nanoseconds the sending took. */
    private long produceAt(String bootstrap, String topic, double rate, int count, AtomicBoolean stop) {
        long start = System.nanoTime();
        try (ImageProducer producer = new ImageProducer(bootstrap, new Properties())) {
            for (int i = 0; i < count && !stop.get(); i++) {
                long due = start + (long) (i / rate * 1e9);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                producer.send(topic, record("lat-" + i, jpegs.get(i % jpegs.size())));
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return System.nanoTime() - start;
    }

    static MiniCluster cluster(int slotCount) throws Exception {
        Configuration conf = new Configuration();
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, slotCount);
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1"); // any free port, this machine only
        conf.set(RestOptions.BIND_PORT, "0");
        conf.set(WebOptions.CHECKPOINTS_HISTORY_SIZE, 1000); // every failed checkpoint's reason, not the last 10
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(conf)
                .setNumTaskManagers(1).setNumSlotsPerTaskManager(slotCount).build());
        cluster.start();
        return cluster;
    }

    private static JobID submit(MiniCluster cluster, Configuration config) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        StreamingDetectionJob.build(env, config);
        return cluster.submitJob(env.getStreamGraph()).get().getJobID();
    }

    private static void waitForFirstCheckpoint(MiniCluster cluster, JobID job) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(15).toNanos(); // a TensorRT plan may be built first
        while (cluster.getExecutionGraph(job).get().getCheckpointStatsSnapshot().getCounts()
                .getNumberOfCompletedCheckpoints() < 1) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the latency job completed no checkpoint in 15 minutes");
            }
            Thread.sleep(200);
        }
    }

    /** What a run committed: detection records and dead letters by id; the detections' times and latencies. */
    static final class Outputs {
        final Map<String, Integer> ids = new HashMap<>();
        final List<Long> latencyNanos = new ArrayList<>();
        final List<Long> processingMillis = new ArrayList<>();
        final Map<String, Integer> deadLetterKinds = new java.util.TreeMap<>();
        int total;
        int detections;
        long firstMillis = Long.MAX_VALUE;
        long lastMillis;

        int distinct() {
            return ids.size();
        }

        void detection(DetectionRecord r) {
            count(r.getRecordId());
            detections++;
            long t = r.getProcessingTime().toEpochMilli();
            processingMillis.add(t);
            firstMillis = Math.min(firstMillis, t);
            lastMillis = Math.max(lastMillis, t);
            latencyNanos.add(Duration.between(r.getEventTime(), r.getProcessingTime()).toNanos());
        }

        void deadLetter(DeadLetter d) {
            count(d.getRecordId());
            deadLetterKinds.merge(String.valueOf(d.getErrorKind()), 1, Integer::sum);
        }

        private void count(String id) {
            total++;
            ids.merge(String.valueOf(id), 1, Integer::sum);
        }
    }

    /** Reads both outputs read_committed until {@code expected} ids came back, then 3 s more for late duplicates. */
    private static Outputs readOutputs(String bootstrap, String run, int expected) {
        Outputs out = new Outputs();
        try (var detections = new RecordConsumer<>(bootstrap, run + "-detections", DetectionRecord.class, new Properties(), true);
             var dead = new RecordConsumer<>(bootstrap, run + "-dead", DeadLetter.class, new Properties(), true)) {
            long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
            while (out.distinct() < expected && System.nanoTime() < deadline) {
                pollFor(Duration.ofMillis(300), detections, dead, out);
            }
            pollFor(Duration.ofSeconds(3), detections, dead, out);
        }
        return out;
    }

    private static void pollFor(Duration time, RecordConsumer<DetectionRecord> detections, RecordConsumer<DeadLetter> dead,
                                Outputs out) {
        long until = System.nanoTime() + time.toNanos();
        detections.consume(r -> out.detection(r.value()), () -> System.nanoTime() > until, time.plusSeconds(1));
        long deadUntil = System.nanoTime() + Duration.ofMillis(50).toNanos();
        dead.consume(r -> out.deadLetter(r.value()), () -> System.nanoTime() > deadUntil, Duration.ofSeconds(1));
    }

    /** Device 0's memory in use, read every 200 ms while open and handed to {@code readings}; nothing without CUDA. */
    static final class GpuMemorySampler implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        GpuMemorySampler(boolean cuda, java.util.function.LongConsumer readings) {
            running.set(cuda);
            thread = new Thread(() -> {
                while (running.get()) {
                    readings.accept(Cuda.memoryInUse(0));
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "gpu-memory-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.interrupt();
            thread.join();
        }
    }
}
