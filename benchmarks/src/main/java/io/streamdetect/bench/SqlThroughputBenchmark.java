package io.streamdetect.bench;

import static io.streamdetect.jobs.StreamingJobOptions.*;

import io.streamdetect.jobs.StreamingDetectionJob;
import io.streamdetect.jobs.demo.EmbeddedKafka;
import io.streamdetect.jobs.sql.SqlRunner;
import io.streamdetect.jobs.sql.SqlScript;
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
    private static final Duration NO_TIMEOUT = Duration.ofMinutes(30);

    public static void main(String[] args) throws Exception {
        int images = args.length > 0 ? Integer.parseInt(args[0]) : 160;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        Path script = Path.of(args.length > 2 ? args[2] : "examples/sql/kafka-detections.sql");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            BenchRecords.produce(kafka, "bench-images", images);
            System.out.println("| round | path | records | steady img/s | wall img/s |");
            System.out.println("|---|---|---|---|---|");
            for (int round = 1; round <= rounds; round++) {
                String ds = "ds-" + round;
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

    private static Configuration dataStreamJob(EmbeddedKafka kafka, String out) throws Exception {
        Configuration c = StreamingThroughputBenchmark.jobConfig(kafka, out, BATCH);
        c.set(CAPACITY, IN_FLIGHT);
        c.set(TIMEOUT, NO_TIMEOUT); // a loaded machine must not turn queued images into TIMEOUT dead letters
        return c;
    }

    private static void runSql(EmbeddedKafka kafka, Path script, String out) throws Exception {
        Map<String, String> vars = Map.of("bootstrap", kafka.bootstrapServers(), "model", SharedFiles.model().toString(),
                "images", "bench-images", "detections", out, "dead_letters", out + "-dead", "group", out,
                "bounded", "latest-offset", "checkpoint_interval", "2 s", "batch", String.valueOf(BATCH),
                "timeout", NO_TIMEOUT.toMinutes() + " min");
        List<String> statements = new ArrayList<>();
        statements.add("SET 'parallelism.default' = '1'");
        for (String s : SqlScript.statements(Files.readString(script), vars)) {
            statements.add(s.replace("'backend' = 'auto'", "'backend' = 'onnxruntime'"));
        }
        // as many images in flight as the DataStream operator's capacity (the script allows more)
        statements.add(statements.size() - 1,
                "SET 'table.exec.async-ml-predict.max-concurrent-operations' = '" + IN_FLIGHT + "'");
        statements.add(statements.size() - 1, "SET 'table.exec.async-ml-predict.timeout' = '" + NO_TIMEOUT.toMinutes() + " min'");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        new SqlRunner(StreamTableEnvironment.create(env), new PrintWriter(new StringWriter()), false).run(statements);
    }

    private static void report(EmbeddedKafka kafka, String topic, String path, int images, int round, long startNanos) {
        double wall = (System.nanoTime() - startNanos) / 1e9;
        BenchRecords.Detections d = BenchRecords.read(kafka, topic, images);
        System.out.printf(Locale.ROOT, "| %d | %s | %d | %.2f | %.2f |%n", round, path, d.records(), d.steady(),
                d.records() / wall);
    }
}
