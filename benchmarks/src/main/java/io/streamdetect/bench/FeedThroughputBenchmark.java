package io.streamdetect.bench;

import static io.streamdetect.jobs.StreamingJobOptions.*;

import io.streamdetect.jobs.StreamingDetectionJob;
import io.streamdetect.jobs.demo.EmbeddedKafka;
import io.streamdetect.records.ImageRecord;
import io.streamdetect.testing.SharedFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * How fast the streaming job's input path can feed one detection slot, with Flink's object reuse off (Flink's
 * default: each record deep-copied at every hop between chained operators) and on (the jobs' default, {@code
 * ObjectReuse}), the two alternating in one run; or, with {@code --against}, the job's settings against others (such
 * as Kafka's own fetch sizes against the job's {@code ImageFetchDefaults}). The job is the one {@link
 * StreamingDetectionJob#build} makes, one slot, on an in-process KRaft broker: the Kafka source and its deserializer, the split of readable and unreadable
 * records, then a filter in the {@code beforeDetection} hook that counts each image and drops it, so that the
 * detection operator gets none. What is timed is the first to the last image through that filter; the first waits
 * there until the slot's engine has opened, so that loading the model is not in the span.
 *
 * <p>The figure is a ceiling: the real job's task thread also runs the rest of its chain and emits the results, and
 * it copies each image five times before detection with reuse off where this path copies it four times, and once
 * with reuse on (the async operator's own copy) where this path copies it not at all. On the GPU, one slot consumes 6,000–8,700 images/s (see
 * docs/benchmarks.md); a ceiling near that rate starves the slot.
 *
 * <p>Run: {@code bin/bench-flink feed [--records 20000] [--rounds 3]}.
 */
@Command(name = "bench-flink feed", mixinStandardHelpOptions = true,
        description = "The streaming job's input path without detection, object reuse off and on, side by side.")
public final class FeedThroughputBenchmark implements Callable<Integer> {
    private static final String INPUT = "feed-images";

    @Option(names = "--records", defaultValue = "20000", description = "Image records in the input topic (default: ${DEFAULT-VALUE}).")
    int records;

    @Option(names = "--rounds", defaultValue = "3", description = "Runs of each setting, alternating, after one "
            + "unreported run of each (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--images", paramLabel = "DIR", description = "JPEGs cycled into the records (default: shared coco8/images).")
    Path images;

    @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE",
            description = "A job setting beyond the defaults, for every run, e.g. -D kafka.check.crcs=false. Repeatable.")
    Map<String, String> settings = new java.util.LinkedHashMap<>();

    @Option(names = "--against", paramLabel = "KEY=VALUE",
            description = "Compare the job's settings with these instead of object reuse off and on: the two alternate "
                    + "with object reuse on, e.g. --against kafka.max.partition.fetch.bytes=1048576 for Kafka's own "
                    + "fetch size. Repeatable.")
    Map<String, String> against = new java.util.LinkedHashMap<>();

    /** Where the table goes; tests read it. */
    java.io.PrintStream out = System.out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new FeedThroughputBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        images = images != null ? images : SharedFiles.coco8().resolve("images");
        List<byte[]> jpegs = StreamingJobBenchmark.readImages(images);
        long bytes = 0;
        for (int i = 0; i < records; i++) {
            bytes += jpegs.get(i % jpegs.size()).length;
        }
        out.printf(Locale.ROOT, "%d records cycling %d images from %s, %.1f KB per image on average%s%n", records,
                jpegs.size(), images, bytes / 1e3 / records, settings.isEmpty() ? "" : "; settings " + settings);
        Path work = Files.createTempDirectory("streamdetect-bench-feed");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(1, INPUT);
            StreamingJobBenchmark.produce(kafka.bootstrapServers(), INPUT, records, jpegs);
            // the baseline first in each round: object reuse off (Flink's default), or the job's settings with --against
            List<Variant> variants = against.isEmpty()
                    ? List.of(new Variant("object reuse off (Flink's default)", Map.of("pipeline.object-reuse", "false")),
                              new Variant("object reuse on", Map.of("pipeline.object-reuse", "true")))
                    : List.of(new Variant("with " + against, against), new Variant("the job's defaults", Map.of()));
            // one unreported run of each first: the JIT compiles the path (the first run was half as fast here)
            for (Variant v : variants) {
                feed(kafka, work, "feed-warm-up-" + variants.indexOf(v), v.settings());
            }
            out.println("| round | setting | images/s | MB/s | × the first (same round) | task thread CPU µs/image "
                    + "| its ceiling images/s | Kafka fetcher CPU µs/image | process CPU µs/image |");
            out.println("|---|---|---|---|---|---|---|---|---|");
            int run = 0;
            for (int round = 1; round <= rounds; round++) {
                double first = 0;
                for (Variant v : variants) {
                    Feed f = feed(kafka, work, "feed-" + (++run), v.settings());
                    double rate = f.imagesPerSecond();
                    first = first == 0 ? rate : first;
                    out.printf(Locale.ROOT, "| %d | %s | %.1f | %.1f | %.2f | %.1f | %.0f | %.1f | %.1f |%n", round,
                            v.label(), rate, rate * bytes / records / 1e6, rate / first,
                            f.taskThreadMicros(), 1e6 / f.taskThreadMicros(), f.fetcherMicros(), f.processMicros());
                }
            }
        }
        return 0;
    }

    /** One bounded run of the job over the whole topic: images per second through the counting filter. */
    private Feed feed(EmbeddedKafka kafka, Path work, String run, Map<String, String> variant) throws Exception {
        kafka.createTopics(1, run + "-detections", run + "-dead");
        Configuration c = StreamingJobBenchmark.benchmarkRun(kafka.bootstrapServers(), INPUT, run, SharedFiles.model(),
                "onnxruntime", work);
        c.set(BOUNDED, true);
        settings.forEach(c::setString);
        variant.forEach(c::setString);
        CountAndDrop.reset(records);
        try (MiniCluster cluster = StreamingJobBenchmark.cluster(1)) {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            StreamingDetectionJob.build(env, c, images -> images.filter(new CountAndDrop()).name("count-and-drop"));
            JobID job = cluster.submitJob(env.getStreamGraph()).get().getJobID();
            var result = cluster.requestJobResult(job).get();
            if (!result.isSuccess()) {
                throw new IllegalStateException("the job failed", result.getSerializedThrowable().orElse(null));
            }
        }
        if (CountAndDrop.COUNT.get() != records) {
            throw new IllegalStateException(CountAndDrop.COUNT.get() + " images reached the filter, not " + records);
        }
        double between = records - 1;
        ThreadCpu first = CountAndDrop.atFirst; // read on the task thread: the filter runs there
        ThreadCpu last = CountAndDrop.atLast;
        return new Feed(between / ((CountAndDrop.LAST.get() - CountAndDrop.FIRST.get()) / 1e9),
                last.readingThreadSince(first) / 1e3 / between,
                last.since(first, name -> name.contains("Source Data Fetcher")) / 1e3 / between,
                last.processSince(first) / 1e3 / between);
    }

    /** One of the two settings compared, added to the job's for its runs. */
    record Variant(String label, Map<String, String> settings) {}

    /** A run's images/s, and CPU microseconds per image: the task thread, the Kafka fetcher, the whole process. */
    record Feed(double imagesPerSecond, double taskThreadMicros, double fetcherMicros, double processMicros) {}

    /**
     * Counts the images that reach it, when the first and the last did, and the CPU time each thread of this JVM
     * used in between; drops them. Static: the MiniCluster runs in this JVM.
     */
    static final class CountAndDrop implements FilterFunction<ImageRecord> {
        private static final long serialVersionUID = 1L;
        static final AtomicLong COUNT = new AtomicLong();
        static final AtomicLong FIRST = new AtomicLong();
        static final AtomicLong LAST = new AtomicLong();
        static volatile long expected;
        static volatile ThreadCpu atFirst;
        static volatile ThreadCpu atLast;

        static void reset(long images) {
            COUNT.set(0);
            FIRST.set(0);
            LAST.set(0);
            expected = images;
        }

        @Override
        public boolean filter(ImageRecord image) throws InterruptedException {
            long n = COUNT.incrementAndGet();
            if (n == 1) {
                awaitEngineOpened();
                FIRST.set(System.nanoTime());
                atFirst = ThreadCpu.now();
            }
            long now = System.nanoTime();
            if (n == expected) {
                atLast = ThreadCpu.now();
            }
            LAST.set(now);
            return false;
        }
    }

    /**
     * Waits until the detection operator's engine has opened: its slot opens it on a thread of its own (named
     * {@code streamdetect-N-open}, see {@code ModelSwitcher}) while images already flow, and loading the model would
     * otherwise take CPU inside the timed span.
     */
    static void awaitEngineOpened() throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().startsWith("streamdetect-") && t.getName().endsWith("-open"))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the detection engine did not open within 120 s");
            }
            Thread.sleep(10);
        }
    }
}
