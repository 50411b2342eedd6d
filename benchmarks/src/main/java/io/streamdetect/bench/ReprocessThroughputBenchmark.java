package io.streamdetect.bench;

import static io.streamdetect.jobs.ReprocessJobOptions.*;
import static io.streamdetect.jobs.StreamingJobOptions.*;

import io.streamdetect.engine.EngineSpec;
import io.streamdetect.engine.Engines;
import io.streamdetect.engine.InferenceEngine;
import io.streamdetect.jobs.ReprocessJob;
import io.streamdetect.jobs.ReprocessReport;
import io.streamdetect.jobs.files.AvroFiles;
import io.streamdetect.predict.Prediction;
import io.streamdetect.predict.Predictor;
import io.streamdetect.predict.PredictorConfig;
import io.streamdetect.records.DetectionRecord;
import io.streamdetect.testing.SharedFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Throughput of the reprocess job (image folder → Flink BATCH → Avro files, one slot, ONNX Runtime, batch 8)
 * against its baseline, the same images through {@link Predictor} in a plain loop (read, decode, letterbox,
 * infer, NMS; batch 8, no Flink), alternated over rounds in the same run.
 *
 * <p>Run: {@code bin/bench-flink reprocess [IMAGES] [ROUNDS]}. "steady" is images / (last − first processingTime of
 * the detection records): the operator's rate without job start-up; "wall" includes start-up and model load.
 */
public final class ReprocessThroughputBenchmark {
    public static void main(String[] args) throws Exception {
        int images = args.length > 0 ? Integer.parseInt(args[0]) : 160;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        Path dir = Files.createTempDirectory("bench-reprocess");
        List<Path> files = archive(dir.resolve("archive"), images);
        System.out.println("| round | pipeline | steady img/s | wall img/s |");
        System.out.println("|---|---|---|---|");
        for (int round = 1; round <= rounds; round++) {
            double loop = predictorLoop(files);
            System.out.printf(Locale.ROOT, "| %d | Predictor loop, batch 8 (baseline) | %.1f | %.1f |%n", round, loop, loop);
            runJob(dir, round);
        }
    }

    /** {@code images} files: coco8's 8 images copied round-robin into {@code archive}. */
    static List<Path> archive(Path archive, int images) throws Exception {
        List<Path> coco8;
        try (Stream<Path> s = Files.walk(SharedFiles.coco8().resolve("images"))) {
            coco8 = s.filter(Files::isRegularFile).sorted().toList();
        }
        Files.createDirectories(archive);
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            Path target = archive.resolve(String.format("%05d.jpg", i));
            Files.copy(coco8.get(i % coco8.size()), target);
            files.add(target);
        }
        return files;
    }

    static double predictorLoop(List<Path> files) throws Exception {
        try (InferenceEngine engine = Engines.open(EngineSpec.onnxRuntime(SharedFiles.model(), 8));
             Predictor predictor = new Predictor(engine, PredictorConfig.DEFAULT)) {
            predictor.predict(List.of(Files.readAllBytes(files.get(0))));   // warm-up
            long start = System.nanoTime();
            int done = 0;
            for (int i = 0; i < files.size(); i += 8) {
                List<byte[]> batch = new ArrayList<>();
                for (Path f : files.subList(i, Math.min(files.size(), i + 8))) {
                    batch.add(Files.readAllBytes(f));
                }
                for (Prediction p : predictor.predict(batch)) {
                    done += p.ok() ? 1 : 0;
                }
            }
            return done / ((System.nanoTime() - start) / 1e9);
        }
    }

    static void runJob(Path dir, int round) throws Exception {
        Path out = dir.resolve("out-" + round);
        Configuration c = new Configuration();
        c.set(MODEL, SharedFiles.model().toString());
        c.set(BACKEND, "onnxruntime");
        c.set(PARALLELISM, 1);
        c.set(MAX_BATCH_SIZE, 8);
        c.set(INPUT_PATH, dir.resolve("archive").toString());
        c.set(OUTPUT_PATH, out.toString());
        ReprocessReport report = ReprocessJob.run(StreamExecutionEnvironment.getExecutionEnvironment(), c).orElseThrow();

        long first = Long.MAX_VALUE;
        long last = 0;
        for (DetectionRecord r : AvroFiles.readAll(out.resolve("detections"), DetectionRecord.class)) {
            first = Math.min(first, r.getProcessingTime().toEpochMilli());
            last = Math.max(last, r.getProcessingTime().toEpochMilli());
        }
        double steady = report.detectionRecords() / Math.max(1e-3, (last - first) / 1000.0);
        System.out.printf(Locale.ROOT, "| %d | reprocess job, batch 8 (%d records, %d dead letters) | %.1f | %.1f |%n",
                round, report.detectionRecords(), report.deadLetters(), steady, report.imagesPerSecond());
    }
}
