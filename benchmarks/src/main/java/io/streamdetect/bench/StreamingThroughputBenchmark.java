package io.streamdetect.bench;

import static io.streamdetect.jobs.StreamingJobOptions.*;

import io.streamdetect.engine.EngineSession;
import io.streamdetect.engine.EngineSpec;
import io.streamdetect.engine.Engines;
import io.streamdetect.engine.InferenceEngine;
import io.streamdetect.engine.InputBatch;
import io.streamdetect.jobs.StreamingDetectionJob;
import io.streamdetect.jobs.demo.EmbeddedKafka;
import io.streamdetect.jobs.kafka.ImageProducer;
import io.streamdetect.jobs.kafka.RecordConsumer;
import io.streamdetect.records.DetectionRecord;
import io.streamdetect.testing.SharedFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
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
        List<Path> files;
        try (Stream<Path> s = Files.list(SharedFiles.coco8().resolve("images/val"))) {
            files = new ArrayList<>(s.sorted().toList());
        }
        files.add(SharedFiles.busJpg());

        System.out.printf("engine alone (ONNX Runtime, all cores): batch 1 %.1f img/s, batch 8 %.1f img/s%n",
                engineAlone(1, images), engineAlone(8, images));
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(2, "bench-images");
            try (ImageProducer producer = new ImageProducer(kafka.bootstrapServers(), new Properties())) {
                for (int i = 0; i < images; i++) {
                    producer.send("bench-images", ImageProducer.fromFile(files.get(i % files.size()), "bench"));
                }
                producer.flush();
            }
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
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        StreamingDetectionJob.build(env, c);
        long start = System.nanoTime();
        env.execute("bench batch " + batch);
        double wall = (System.nanoTime() - start) / 1e9;

        AtomicInteger count = new AtomicInteger();
        AtomicLong first = new AtomicLong(Long.MAX_VALUE);
        AtomicLong last = new AtomicLong();
        AtomicLong batchSum = new AtomicLong();
        try (var consumer = new RecordConsumer<>(kafka.bootstrapServers(), out, DetectionRecord.class, new Properties(), true)) {
            consumer.consume(r -> {
                long t = r.value().getProcessingTime().toEpochMilli();
                first.accumulateAndGet(t, Math::min);
                last.accumulateAndGet(t, Math::max);
                batchSum.addAndGet(r.value().getTimings().getBatchSize());
                count.incrementAndGet();
            }, () -> count.get() >= images, Duration.ofSeconds(60));
        }
        double steady = count.get() / Math.max(1e-3, (last.get() - first.get()) / 1000.0);
        System.out.printf(Locale.ROOT, "| %d | %d | %.1f | %.1f | %.1f |%n", round, batch, steady, count.get() / wall,
                (double) batchSum.get() / Math.max(1, count.get()));
    }
}
