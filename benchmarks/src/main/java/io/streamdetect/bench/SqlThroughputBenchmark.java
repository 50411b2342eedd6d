package io.streamdetect.bench;

import static io.streamdetect.jobs.StreamingJobOptions.*;

import io.streamdetect.jobs.StreamingDetectionJob;
import io.streamdetect.jobs.demo.EmbeddedKafka;
import io.streamdetect.jobs.kafka.ImageProducer;
import io.streamdetect.jobs.kafka.RecordConsumer;
import io.streamdetect.jobs.sql.SqlRunner;
import io.streamdetect.jobs.sql.SqlScript;
import io.streamdetect.records.DetectionRecord;
import io.streamdetect.testing.SharedFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

/**
 * The SQL path against the DataStream job on the same records, same run, one slot, ONNX Runtime: Kafka → {@code
 * ML_PREDICT} with the {@code streamdetect} model → Kafka ({@code examples/sql/kafka-detections.sql}) against
 * Kafka → {@code DetectionOperator} → Kafka ({@code stream}), both micro-batched at 8 with 64 images in flight,
 * alternated over rounds.
 *
 * <p>Run: {@code bin/bench-flink sql [IMAGES] [ROUNDS]}. "steady" is images / (last − first processingTime of the
 * detection records), "wall" images / the whole bounded job with start-up and model load.
 */
public final class SqlThroughputBenchmark {
    private static final int BATCH = 8;
    private static final int IN_FLIGHT = 64;

    public static void main(String[] args) throws Exception {
        int images = args.length > 0 ? Integer.parseInt(args[0]) : 160;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        Path script = Path.of(args.length > 2 ? args[2] : "examples/sql/kafka-detections.sql");
        List<Path> files;
        try (Stream<Path> s = Files.list(SharedFiles.coco8().resolve("images/val"))) {
            files = new ArrayList<>(s.sorted().toList());
        }
        files.add(SharedFiles.busJpg());
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(2, "bench-images");
            try (ImageProducer producer = new ImageProducer(kafka.bootstrapServers(), new Properties())) {
                for (int i = 0; i < images; i++) {
                    producer.send("bench-images", ImageProducer.fromFile(files.get(i % files.size()), "bench"));
                }
                producer.flush();
            }
            System.out.println("| round | path | steady img/s | wall img/s | mean batch |");
            System.out.println("|---|---|---|---|---|");
            for (int round = 1; round <= rounds; round++) {
                String ds = "ds-" + round;
                kafka.createTopics(2, ds, ds + "-dead");
                long start = System.nanoTime();
                StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
                StreamingDetectionJob.build(env, dataStreamJob(kafka, ds));
                env.execute("bench datastream");
                report(kafka, ds, "DataStream", images, round, start);

                String sql = "sql-" + round;
                kafka.createTopics(2, sql, sql + "-dead");
                start = System.nanoTime();
                runSql(kafka, script, sql);
                report(kafka, sql, "SQL ML_PREDICT", images, round, start);
            }
        }
    }

    private static Configuration dataStreamJob(EmbeddedKafka kafka, String out) {
        Configuration c = new Configuration();
        c.set(BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        c.set(INPUT_TOPIC, "bench-images");
        c.set(OUTPUT_TOPIC, out);
        c.set(DEAD_LETTER_TOPIC, out + "-dead");
        c.set(GROUP_ID, out);
        c.set(MODEL, SharedFiles.model().toString());
        c.set(BACKEND, "onnxruntime");
        c.set(PARALLELISM, 1);
        c.set(MAX_BATCH_SIZE, BATCH);
        c.set(CAPACITY, IN_FLIGHT);
        c.set(BOUNDED, true);
        c.set(STARTING_OFFSETS, "earliest");
        c.set(CHECKPOINT_INTERVAL, Duration.ofSeconds(2));
        return c;
    }

    private static void runSql(EmbeddedKafka kafka, Path script, String out) throws Exception {
        Map<String, String> vars = Map.of("bootstrap", kafka.bootstrapServers(), "model", SharedFiles.model().toString(),
                "images", "bench-images", "detections", out, "dead_letters", out + "-dead", "group", out,
                "bounded", "latest-offset", "checkpoint_interval", "2 s", "batch", String.valueOf(BATCH));
        List<String> statements = new ArrayList<>();
        statements.add("SET 'parallelism.default' = '1'");
        for (String s : SqlScript.statements(Files.readString(script), vars)) {
            statements.add(s.replace("'backend' = 'auto'", "'backend' = 'onnxruntime'"));
        }
        // as many images in flight as the DataStream operator's capacity (the script allows more)
        statements.add(statements.size() - 1,
                "SET 'table.exec.async-ml-predict.max-concurrent-operations' = '" + IN_FLIGHT + "'");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        new SqlRunner(StreamTableEnvironment.create(env), new PrintWriter(new StringWriter()), false).run(statements);
    }

    private static void report(EmbeddedKafka kafka, String topic, String path, int images, int round, long startNanos) {
        double wall = (System.nanoTime() - startNanos) / 1e9;
        AtomicInteger count = new AtomicInteger();
        AtomicLong first = new AtomicLong(Long.MAX_VALUE);
        AtomicLong last = new AtomicLong();
        AtomicLong batchSum = new AtomicLong();
        try (var consumer = new RecordConsumer<>(kafka.bootstrapServers(), topic, DetectionRecord.class, new Properties(), true)) {
            consumer.consume(r -> {
                long t = r.value().getProcessingTime().toEpochMilli();
                first.accumulateAndGet(t, Math::min);
                last.accumulateAndGet(t, Math::max);
                batchSum.addAndGet(r.value().getTimings().getBatchSize());
                count.incrementAndGet();
            }, () -> count.get() >= images, Duration.ofSeconds(60));
        }
        double steady = count.get() / Math.max(1e-3, (last.get() - first.get()) / 1000.0);
        System.out.printf(Locale.ROOT, "| %d | %s | %.1f | %.1f | %s |%n", round, path, steady, count.get() / wall,
                path.startsWith("SQL") ? "n/a" : String.format(Locale.ROOT, "%.1f",
                        (double) batchSum.get() / Math.max(1, count.get())));
    }
}
