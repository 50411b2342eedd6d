package io.streamdetect.bench;

import static io.streamdetect.jobs.StreamingJobOptions.*;

import io.streamdetect.engine.EngineSession;
import io.streamdetect.engine.EngineSpec;
import io.streamdetect.engine.Engines;
import io.streamdetect.engine.InferenceEngine;
import io.streamdetect.engine.InputBatch;
import io.streamdetect.jobs.StreamingDetectionJob;
import io.streamdetect.jobs.demo.EmbeddedKafka;
import io.streamdetect.testing.SharedFiles;
import java.time.Duration;
import java.util.Locale;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * End-to-end throughput of the streaming job through a real (in-process) Kafka broker and a local Flink
 * cluster, one slot, ONNX Runtime: per-record operator (max batch 1) against micro-batching (max batch 8),
 * alternated over rounds in the same run, and both against the engine alone at the same batch size.
 *
 * <p>Run: {@code bin/bench-flink streaming [IMAGES] [ROUNDS]}. "steady" is images / (last − first processingTime
 * of the detection records): the operator's rate without job start-up and the final checkpoint; "wall" is
 * images / the whole bounded job including start-up and model load.
 */
public final class StreamingThroughputBenchmark {
    public static void main(String[] args) throws Exception {
        int images = args.length > 0 ? Integer.parseInt(args[0]) : 160;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        System.out.printf("engine alone (ONNX Runtime, all cores): batch 1 %.1f img/s, batch 8 %.1f img/s%n",
                engineAlone(1, images), engineAlone(8, images));
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            BenchRecords.produce(kafka, "bench-images", images);
            System.out.println("| round | max batch | steady img/s | wall img/s | mean batch |");
            System.out.println("|---|---|---|---|---|");
            for (int round = 1; round <= rounds; round++) {
                for (int batch : new int[] {1, 8}) {
                    runJob(kafka, images, batch, round);
                }
            }
        }
        double e1 = engineAlone(1, images);
        double e8 = engineAlone(8, images);
        System.out.printf("engine alone again after the jobs: batch 1 %.1f img/s, batch 8 %.1f img/s%n", e1, e8);
    }

    /** Images/s of session.run alone on pre-filled input, {@code images} images in batches of {@code batch}. */
    static double engineAlone(int batch, int images) {
        try (InferenceEngine engine = Engines.open(EngineSpec.onnxRuntime(SharedFiles.model(), batch));
             EngineSession session = engine.openSession();
             InputBatch input = session.newInputBatch()) {
            for (int i = 0; i < input.floats().capacity(); i++) {
                input.floats().put(i, 0.45f);
            }
            session.run(input, batch); // warm-up
            int calls = images / batch;
            long start = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                session.run(input, batch);
            }
            return calls * batch / ((System.nanoTime() - start) / 1e9);
        }
    }

    static void runJob(EmbeddedKafka kafka, int images, int batch, int round) throws Exception {
        String out = "bench-detections-" + batch + "-" + round;
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        StreamingDetectionJob.build(env, jobConfig(kafka, out, batch));
        long start = System.nanoTime();
        env.execute("bench batch " + batch);
        double wall = (System.nanoTime() - start) / 1e9;

        BenchRecords.Detections d = BenchRecords.read(kafka, out, images);
        System.out.printf(Locale.ROOT, "| %d | %d | %.1f | %.1f | %.1f |%n", round, batch, d.steady(), d.records() / wall,
                d.meanBatch());
    }

    /** The bounded streaming job from "bench-images" to {@code out} (topics made here), one slot, ONNX Runtime. */
    static Configuration jobConfig(EmbeddedKafka kafka, String out, int batch) throws Exception {
        kafka.createTopics(2, out, out + "-dead");
        Configuration c = new Configuration();
        c.set(BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        c.set(INPUT_TOPIC, "bench-images");
        c.set(OUTPUT_TOPIC, out);
        c.set(DEAD_LETTER_TOPIC, out + "-dead");
        c.set(GROUP_ID, out);
        c.set(MODEL, SharedFiles.model().toString());
        c.set(BACKEND, "onnxruntime");
        c.set(PARALLELISM, 1);
        c.set(MAX_BATCH_SIZE, batch);
        c.set(BOUNDED, true);
        c.set(STARTING_OFFSETS, "earliest");
        c.set(CHECKPOINT_INTERVAL, Duration.ofSeconds(2));
        // file checkpoints: the images in flight outgrow the JobManager's memory (CheckpointStorageGuard)
        c.set(CHECKPOINT_DIR, java.nio.file.Files.createTempDirectory("streamdetect-bench-checkpoints").toUri().toString());
        return c;
    }
}
