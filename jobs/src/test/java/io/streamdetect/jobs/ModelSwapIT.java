package io.streamdetect.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.engine.EngineSpec;
import io.streamdetect.engine.Engines;
import io.streamdetect.engine.InferenceEngine;
import io.streamdetect.flink.DetectionOptions;
import io.streamdetect.jobs.demo.EmbeddedKafka;
import io.streamdetect.jobs.kafka.ImageProducer;
import io.streamdetect.jobs.kafka.InputTopic;
import io.streamdetect.jobs.kafka.RecordConsumer;
import io.streamdetect.model.OnnxModelFile;
import io.streamdetect.predict.Prediction;
import io.streamdetect.predict.Predictor;
import io.streamdetect.predict.PredictorConfig;
import io.streamdetect.records.Detection;
import io.streamdetect.records.DetectionRecord;
import io.streamdetect.records.ImageRecord;
import io.streamdetect.testing.SharedFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 17: a running streaming job switches models through {@code model.watch} (a directory of versioned
 * files), on the in-process KRaft broker, the Flink MiniCluster and ONNX Runtime with the real models: yolo11n
 * (dynamic batch, classic head) is replaced by yolo26n (batch fixed at 1, end-to-end head) mid-stream, then a
 * half-copied yolo-003 is refused while the stream goes on, then the job fails and restarts from its checkpoint:
 * it must come back on yolo26n (the refused file is still the newest, so a restart on the configured model would
 * stay on yolo11n). Every record comes out exactly once, named by the model that processed it, with that model's
 * detections.
 */
class ModelSwapIT {
    private static final int PER_PHASE = 20;
    private static final InMemoryReporter METRICS = InMemoryReporter.create();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setConfiguration(METRICS.addToConfiguration(new Configuration()))
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1).build());

    @Test
    void aRunningJobSwitchesModelsRefusesACorruptOneAndComesBackOnTheAcceptedOneAfterARestart(@TempDir Path dir)
            throws Exception {
        Path yolo11n = SharedFiles.model();
        Path yolo26n = SharedFiles.exportedModel("yolo26n.onnx");
        String sha11n = OnnxModelFile.read(yolo11n).sha256();
        String sha26n = OnnxModelFile.read(yolo26n).sha256();
        List<Path> images = images();
        Map<String, Map<Path, List<Float>>> expected = Map.of(sha11n, scores(yolo11n, images), sha26n, scores(yolo26n, images));
        assertThat(expected.get(sha11n)).as("the two models tell apart").isNotEqualTo(expected.get(sha26n));
        Path watched = Files.createDirectories(dir.resolve("models"));

        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(1, "swap-images", "swap-detections", "swap-dead");
            Configuration config = config(kafka, yolo11n, watched, dir);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(
                    Configuration.fromMap(Map.of("restart-strategy.type", "fixed-delay",
                            "restart-strategy.fixed-delay.attempts", "3", "restart-strategy.fixed-delay.delay", "200 ms")));
            FailOnceWhenArmed.FIRST_TO_FAIL.set(Integer.MAX_VALUE);
            FailOnceWhenArmed.FAILED.set(false);
            StreamingDetectionJob.build(env, config,
                    s -> s.map(new FailOnceWhenArmed()).returns(new AvroTypeInfo<>(ImageRecord.class)));
            JobClient job = env.executeAsync("streamdetect-model-swap-it");
            JobID id = job.getJobID();
            Map<String, List<DetectionRecord>> out = new java.util.concurrent.ConcurrentHashMap<>();
            int total;
            try (var producer = new ImageProducer(kafka.bootstrapServers(), new Properties());
                 var detections = new RecordConsumer<>(kafka.bootstrapServers(), "swap-detections",
                         DetectionRecord.class, new Properties(), true)) {
                BooleanSupplier any26n = () -> out.values().stream().flatMap(List::stream)
                        .anyMatch(r -> r.getModelHash().toString().equals(sha26n));
                int sent = produce(producer, images, 0, PER_PHASE);
                await(detections, out, () -> out.size() >= 8, "first detections on yolo11n");
                List<String> beforeTheSwap = List.copyOf(out.keySet());

                // a new version, copied under a hidden name and renamed, as README says; records keep coming
                // while it loads and the slot switches
                Path tmp = watched.resolve(".yolo-002.onnx.part");
                Files.copy(yolo26n, tmp);
                Files.move(tmp, watched.resolve("yolo-002.onnx"), StandardCopyOption.ATOMIC_MOVE);
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while (counter(id, "modelSwaps") < 1 && System.nanoTime() < deadline) {
                    sent = produce(producer, images, sent, sent + 1);
                    detections.consume(r -> add(out, r.value()), () -> false, Duration.ofMillis(400));
                }
                assertThat(counter(id, "modelSwaps")).as("switched").isEqualTo(1);
                assertThat(gauge(id, "modelHash")).isEqualTo(sha26n);
                sent = produce(producer, images, sent, sent + PER_PHASE / 2);
                await(detections, out, any26n, "a detection by yolo26n");

                // half a file, as a copy still running or a broken upload leaves it: the newest, and unusable
                byte[] bytes = Files.readAllBytes(yolo26n);
                Files.write(watched.resolve("yolo-003.onnx"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
                deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (counter(id, "modelSwapsRefused") < 1 && System.nanoTime() < deadline) {
                    sent = produce(producer, images, sent, sent + 1);
                    detections.consume(r -> add(out, r.value()), () -> false, Duration.ofMillis(400));
                }
                assertThat(counter(id, "modelSwapsRefused")).as("the half-copied model is refused").isEqualTo(1);
                assertThat(gauge(id, "modelHash")).as("and yolo26n keeps running").isEqualTo(sha26n);

                // fails at the first record of the last part: a restart from the last checkpoint
                FailOnceWhenArmed.FIRST_TO_FAIL.set(sent);
                total = produce(producer, images, sent, sent + PER_PHASE / 2);
                int all = total;
                await(detections, out, () -> out.size() >= all, "every record");
                // a few more checkpoints, so a record written twice would be committed by now
                long settle = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                detections.consume(r -> add(out, r.value()), () -> System.nanoTime() > settle, Duration.ofSeconds(6));

                assertThat(FailOnceWhenArmed.FAILED).as("the job failed and restarted").isTrue();
                for (String early : beforeTheSwap) {
                    assertThat(out.get(early).get(0).getModelHash().toString()).as(early).isEqualTo(sha11n);
                }
            } finally {
                job.cancel().get();
            }

            assertThat(out).hasSize(total);
            int last11n = -1;
            int first26n = Integer.MAX_VALUE;
            for (var entry : out.entrySet()) {
                assertThat(entry.getValue()).as("exactly once: %s", entry.getKey()).hasSize(1);
                DetectionRecord r = entry.getValue().get(0);
                int index = Integer.parseInt(entry.getKey().substring("img-".length()));
                String hash = r.getModelHash().toString();
                assertThat(hash).as(entry.getKey()).isIn(sha11n, sha26n);
                assertThat(r.getModelName().toString()).isEqualTo(hash.equals(sha11n) ? "yolo11n" : "yolo-002");
                // the record's detections are those of the model it names
                assertThat(r.getDetections()).extracting(Detection::getScore).as(entry.getKey())
                        .usingElementComparator((a, b) -> Math.abs(a - b) < 0.01f ? 0 : Float.compare(a, b))
                        .containsExactlyElementsOf(expected.get(hash).get(images.get(index % images.size())));
                if (hash.equals(sha11n)) {
                    last11n = Math.max(last11n, index);
                } else {
                    first26n = Math.min(first26n, index);
                }
            }
            assertThat(last11n).as("one switch: every record after the first on yolo26n is on yolo26n, "
                    + "also after the restart").isLessThan(first26n);
            assertThat(first26n).as("the switch happened mid-stream").isBetween(8, total - PER_PHASE / 2);
        }
    }

    private static Configuration config(EmbeddedKafka kafka, Path model, Path watched, Path dir) throws Exception {
        Configuration c = new Configuration();
        c.set(StreamingJobOptions.CHECKPOINT_DIR, Files.createDirectories(dir.resolve("checkpoints")).toUri().toString());
        c.set(StreamingJobOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        c.set(StreamingJobOptions.INPUT_TOPIC, "swap-images");
        c.set(StreamingJobOptions.OUTPUT_TOPIC, "swap-detections");
        c.set(StreamingJobOptions.DEAD_LETTER_TOPIC, "swap-dead");
        c.set(StreamingJobOptions.GROUP_ID, "swap-it");
        c.set(StreamingJobOptions.MODEL, model.toString());
        c.set(StreamingJobOptions.BACKEND, "onnxruntime");
        c.set(StreamingJobOptions.INTRA_OP_THREADS, 1);
        c.set(StreamingJobOptions.PARALLELISM, 1);
        c.set(StreamingJobOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(300));
        c.set(StreamingJobOptions.MAX_BATCH_SIZE, 8);
        c.set(DetectionOptions.MODEL_WATCH, watched.toString());
        c.set(DetectionOptions.MODEL_WATCH_INTERVAL, Duration.ofMillis(200));
        return c;
    }

    /** Fails the job once, at the first record from {@link #FIRST_TO_FAIL} on, after the swap and the refusal. */
    static final class FailOnceWhenArmed implements MapFunction<ImageRecord, ImageRecord> {
        static final AtomicInteger FIRST_TO_FAIL = new AtomicInteger(Integer.MAX_VALUE);
        static final AtomicBoolean FAILED = new AtomicBoolean();

        @Override
        public ImageRecord map(ImageRecord image) {
            int index = Integer.parseInt(image.getRecordId().toString().substring("img-".length()));
            if (index >= FIRST_TO_FAIL.get() && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure at " + image.getRecordId());
            }
            return image;
        }
    }

    private static List<Path> images() {
        return SharedFiles.coco8ValAndBus();
    }

    /** Each image's detection scores by {@code model}, as the operator's settings compute them. */
    private static Map<Path, List<Float>> scores(Path model, List<Path> images) throws Exception {
        Map<Path, List<Float>> scores = new HashMap<>();
        try (InferenceEngine engine = Engines.open(new EngineSpec(model.toString(),
                io.streamdetect.engine.Backend.ONNXRUNTIME, io.streamdetect.engine.Precision.FP32, 8, 1));
             Predictor predictor = new Predictor(engine, PredictorConfig.DEFAULT)) {
            for (Path image : images) {
                Prediction p = predictor.predict(List.of(Files.readAllBytes(image))).get(0);
                scores.put(image, p.objects().stream().map(o -> o.score()).toList());
            }
        }
        return scores;
    }

    /** Sends img-from .. img-(to - 1), each acknowledged by the broker (else sent again); returns {@code to}. */
    private static int produce(ImageProducer producer, List<Path> images, int from, int to) throws Exception {
        Map<String, ImageRecord> records = new LinkedHashMap<>();
        for (int i = from; i < to; i++) {
            ImageRecord r = ImageProducer.fromFile(images.get(i % images.size()), "swap");
            r.setRecordId("img-" + i);
            records.put(r.getRecordId(), r);
        }
        InputTopic.sendAcknowledged(records.keySet(), id -> producer.send("swap-images", records.get(id)),
                producer::flush);
        return to;
    }

    private static void await(RecordConsumer<DetectionRecord> consumer, Map<String, List<DetectionRecord>> out,
                              BooleanSupplier done, String what) {
        boolean reached = consumer.consume(r -> add(out, r.value()), done, Duration.ofSeconds(90));
        assertThat(reached).as("%s committed; have %s", what, out.keySet()).isTrue();
    }

    private static void add(Map<String, List<DetectionRecord>> out, DetectionRecord r) {
        out.computeIfAbsent(r.getRecordId().toString(), k -> new ArrayList<>()).add(r);
    }

    private static long counter(JobID job, String name) {
        return metric(job, name).map(m -> ((Counter) m).getCount()).orElse(-1L);
    }

    private static Object gauge(JobID job, String name) {
        return metric(job, name).map(m -> ((Gauge<?>) m).getValue()).orElse(null);
    }

    private static Optional<org.apache.flink.metrics.Metric> metric(JobID job, String name) {
        return METRICS.getMetricsByIdentifiers(job).entrySet().stream()
                .filter(e -> e.getKey().endsWith(".streamdetect." + name)).map(Map.Entry::getValue).findFirst();
    }
}
