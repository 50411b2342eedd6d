package io.streamdetect.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdetect.jobs.demo.EmbeddedKafka;
import io.streamdetect.jobs.files.AvroFiles;
import io.streamdetect.jobs.kafka.ImageProducer;
import io.streamdetect.jobs.kafka.InputTopic;
import io.streamdetect.jobs.kafka.RecordConsumer;
import io.streamdetect.records.DeadLetter;
import io.streamdetect.records.DetectionRecord;
import io.streamdetect.records.ErrorKind;
import io.streamdetect.records.ImageRecord;
import io.streamdetect.testing.SharedFiles;
import io.streamdetect.testing.TestImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reprocess job in BATCH mode on the MiniCluster with the real model on ONNX Runtime: a bounded range of a
 * real (in-process, KRaft) Kafka topic to Kafka, and an image folder to Avro files. One detection record per
 * good image, one dead letter per bad input, nothing outside the range, totals reported.
 */
class ReprocessJobIT {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    private static EmbeddedKafka kafka;
    private static List<Path> coco8;

    @BeforeAll
    static void start() throws Exception {
        kafka = EmbeddedKafka.start();
        try (Stream<Path> files = Files.walk(SharedFiles.coco8().resolve("images"))) {
            coco8 = files.filter(Files::isRegularFile).sorted().toList();
        }
        assertThat(coco8).hasSize(8);
    }

    @AfterAll
    static void stop() throws Exception {
        kafka.close();
    }

    @Test
    void aKafkaOffsetRangeIsReprocessedToKafka() throws Exception {
        // offsets 0..9 before the range, 10..29 in it (17 images, 3 bad inputs), 30..34 after it
        kafka.createTopics(1, "archive", "archive-detections", "archive-dead");
        List<String> inRangeGood = new ArrayList<>();
        List<String> inRangeBad = List.of("raw-garbage", "text-as-image", "truncated-jpeg");
        byte[] bus = TestImages.bus();
        try (ImageProducer producer = new ImageProducer(kafka.bootstrapServers(), new Properties());
             KafkaProducer<String, byte[]> raw = ImageProducer.rawProducer(kafka.bootstrapServers())) {
            Function<String, Future<RecordMetadata>> send = id -> switch (id) {
                case "raw-garbage" -> ImageProducer.sendRaw(raw, "archive", id, "not avro".getBytes(StandardCharsets.UTF_8));
                case "text-as-image" -> producer.send("archive", record(id, "<html/>".getBytes(StandardCharsets.UTF_8)));
                case "truncated-jpeg" -> producer.send("archive", record(id, TestImages.truncated(bus, 0.5)));
                default -> producer.send("archive", image(id));
            };
            // a group at a time, each acknowledged (or sent again) before the next: the offset ranges are the test
            Consumer<List<String>> group = ids -> InputTopic.sendAcknowledged(ids, send, () -> {
                producer.flush();
                raw.flush();
            });
            group.accept(IntStream.range(0, 10).mapToObj(i -> "before-" + i).toList());
            for (int i = 0; i < 20; i++) {
                String id = i == 4 ? "raw-garbage" : i == 9 ? "text-as-image" : i == 15 ? "truncated-jpeg" : "in-" + i;
                if (id.startsWith("in-")) {
                    inRangeGood.add(id);
                }
                group.accept(List.of(id)); // one by one: keeps the offsets in send order across the two producers
            }
            group.accept(IntStream.range(0, 5).mapToObj(i -> "after-" + i).toList());
        }

        Configuration config = base();
        config.set(StreamingJobOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        config.set(StreamingJobOptions.INPUT_TOPIC, "archive");
        config.set(StreamingJobOptions.OUTPUT_TOPIC, "archive-detections");
        config.set(StreamingJobOptions.DEAD_LETTER_TOPIC, "archive-dead");
        config.set(StreamingJobOptions.STARTING_OFFSETS, "0:10");
        config.set(ReprocessJobOptions.STOPPING_OFFSETS, "0:30");
        ReprocessReport report = run(config);

        Map<String, Integer> detections = new HashMap<>();
        Map<String, DeadLetter> deadLetters = new HashMap<>();
        try (var det = new RecordConsumer<>(kafka.bootstrapServers(), "archive-detections", DetectionRecord.class, new Properties(), true);
             var dead = new RecordConsumer<>(kafka.bootstrapServers(), "archive-dead", DeadLetter.class, new Properties(), true)) {
            det.consume(r -> detections.merge(r.value().getRecordId(), 1, Integer::sum), () -> false, Duration.ofSeconds(3));
            dead.consume(r -> deadLetters.put(r.value().getRecordId(), r.value()), () -> false, Duration.ofSeconds(3));
        }
        assertThat(detections.keySet()).containsExactlyInAnyOrderElementsOf(inRangeGood);
        assertThat(detections.values()).as("exactly once").containsOnly(1);
        assertThat(deadLetters.keySet()).containsExactlyInAnyOrderElementsOf(inRangeBad);
        assertThat(deadLetters.get("raw-garbage").getErrorKind()).isEqualTo(ErrorKind.MALFORMED_RECORD);
        assertThat(deadLetters.get("raw-garbage").getSource().getOffset()).isEqualTo(14);
        assertThat(deadLetters.get("text-as-image").getErrorKind()).isEqualTo(ErrorKind.UNSUPPORTED_FORMAT);
        assertThat(deadLetters.get("truncated-jpeg").getErrorKind()).isEqualTo(ErrorKind.TRUNCATED_IMAGE);
        assertThat(report.detectionRecords()).isEqualTo(17);
        assertThat(report.deadLetters()).isEqualTo(3);
        assertThat(report.deadLettersByKind()).isEqualTo(Map.of("MALFORMED_RECORD", 1L, "UNSUPPORTED_FORMAT", 1L,
                "TRUNCATED_IMAGE", 1L));
        assertThat(report.inputs()).isEqualTo(20);
        assertThat(report.objects()).isGreaterThan(17);
    }

    @Test
    void aKafkaTimeRangeIsReprocessedToAvroFiles(@TempDir Path dir) throws Exception {
        // 30 records stamped a minute apart; the range [minute 10, minute 20) holds exactly records 10..19. Stamped
        // within the last hour: the broker applies its 7-day retention every second from 30 s after its start, and
        // deleted records older than that (a fixed date of 2026-11-01 emptied the topic when the test ran late)
        kafka.createTopics(2, "timed");
        long t0 = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MINUTES).minus(java.time.Duration.ofHours(1))
                .toEpochMilli();
        var codec = io.streamdetect.records.AvroCodec.of(ImageRecord.class);
        try (KafkaProducer<String, byte[]> raw = ImageProducer.rawProducer(kafka.bootstrapServers())) {
            for (int i = 0; i < 30; i++) {
                raw.send(new org.apache.kafka.clients.producer.ProducerRecord<>("timed", i % 2, t0 + i * 60_000L,
                        "t-" + i, codec.encode(image("t-" + i)))).get();
            }
        }
        Path out = dir.resolve("out");
        Configuration config = base();
        config.set(StreamingJobOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        config.set(StreamingJobOptions.INPUT_TOPIC, "timed");
        config.set(StreamingJobOptions.STARTING_OFFSETS, "timestamp:" + java.time.Instant.ofEpochMilli(t0 + 10 * 60_000L));
        config.set(ReprocessJobOptions.STOPPING_OFFSETS, "timestamp:" + (t0 + 20 * 60_000L));
        config.set(ReprocessJobOptions.OUTPUT_PATH, out.toString());
        ReprocessReport report = run(config);

        assertThat(readAvro(out.resolve("detections"), DetectionRecord.class))
                .extracting(DetectionRecord::getRecordId)
                .containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(10, 20).mapToObj(i -> "t-" + i).toList());
        assertThat(report.detectionRecords()).isEqualTo(10);
        assertThat(report.deadLetters()).isZero();
    }

    @Test
    void anImageFolderIsReprocessedToAvroFiles(@TempDir Path dir) throws Exception {
        Path archive = Files.createDirectories(dir.resolve("archive"));
        for (Path image : coco8) {   // keep coco8's train/ and val/ folders: ids are relative paths
            Path target = archive.resolve(SharedFiles.coco8().resolve("images").relativize(image).toString());
            Files.createDirectories(target.getParent());
            Files.copy(image, target);
        }
        Files.writeString(archive.resolve("broken.jpg"), "<html>not an image</html>");
        Files.write(archive.resolve("val/cut.jpg"), TestImages.truncated(TestImages.bus(), 0.4));
        Files.write(archive.resolve("huge.png"), new byte[3 << 20]);
        Files.writeString(archive.resolve("notes.txt"), "not matched by the glob");
        Files.write(archive.resolve(".hidden.jpg"), TestImages.bus());   // hidden: skipped like Flink's default filter
        Path out = dir.resolve("out");

        Configuration config = base();
        config.set(ReprocessJobOptions.INPUT_PATH, archive.toString());
        config.set(ReprocessJobOptions.OUTPUT_PATH, out.toString());
        config.set(StreamingJobOptions.MAX_BYTES, 2L << 20);
        ReprocessReport report = run(config);

        List<DetectionRecord> detections = readAvro(out.resolve("detections"), DetectionRecord.class);
        List<DeadLetter> deadLetters = readAvro(out.resolve("dead-letters"), DeadLetter.class);
        assertThat(detections).extracting(r -> r.getRecordId().toString()).containsExactlyInAnyOrder(
                "train/000000000009.jpg", "train/000000000025.jpg", "train/000000000030.jpg", "train/000000000034.jpg",
                "val/000000000036.jpg", "val/000000000042.jpg", "val/000000000049.jpg", "val/000000000061.jpg");
        assertThat(detections).allSatisfy(r -> {
            assertThat(r.getSourceId()).isEqualTo("archive");
            assertThat(r.getAttributes().get("path")).endsWith(r.getRecordId());
        });
        assertThat(detections).flatExtracting(DetectionRecord::getDetections).isNotEmpty();
        Map<String, DeadLetter> byId = new HashMap<>();
        deadLetters.forEach(d -> byId.put(d.getRecordId(), d));
        assertThat(byId).containsOnlyKeys("broken.jpg", "val/cut.jpg", "huge.png");
        assertThat(byId.get("broken.jpg").getErrorKind()).isEqualTo(ErrorKind.UNSUPPORTED_FORMAT);
        assertThat(byId.get("val/cut.jpg").getErrorKind()).isEqualTo(ErrorKind.TRUNCATED_IMAGE);
        assertThat(byId.get("huge.png").getErrorKind()).isEqualTo(ErrorKind.IMAGE_TOO_LARGE);
        assertThat(byId.get("huge.png").getStage()).isEqualTo("read");
        assertThat(byId.get("huge.png").getMessage()).contains("3145728 bytes", "limit is 2097152");
        assertThat(report).isEqualTo(new ReprocessReport(8, detections.stream().mapToLong(r -> r.getDetections().size()).sum(),
                3, Map.of("UNSUPPORTED_FORMAT", 1L, "TRUNCATED_IMAGE", 1L, "IMAGE_TOO_LARGE", 1L), report.wallTime()));
        assertThat(report.summary()).contains("3 dead letters (IMAGE_TOO_LARGE 1, TRUNCATED_IMAGE 1, UNSUPPORTED_FORMAT 1)");
    }

    /**
     * Issue 13: a timeout is the image's fault only while its own decode runs. With 1 ms, far below one ONNX Runtime
     * call (~50 ms), no image is slow by itself: the slot is. The job fails, naming the settings to change, instead
     * of turning every good image into a TIMEOUT dead letter (which is what it did before).
     */
    @Test
    void aTimeoutShorterThanABatchFailsTheJobInsteadOfDeadLetteringGoodImages(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        Configuration config = base();
        config.set(ReprocessJobOptions.INPUT_PATH, SharedFiles.coco8().resolve("images").toString());
        config.set(ReprocessJobOptions.OUTPUT_PATH, out.toString());
        config.set(StreamingJobOptions.TIMEOUT, Duration.ofMillis(1));
        // one subtask: with two, the other's failure ("OperatorEvent ... lost", once the first has failed) can be
        // the one Flink reports, under load
        config.set(StreamingJobOptions.PARALLELISM, 1);

        assertThatThrownBy(() -> run(config)).hasStackTraceContaining("after 1 ms")
                .hasStackTraceContaining("micro-batcher");
        assertThat(readAvro(out.resolve("dead-letters"), DeadLetter.class))
                .noneSatisfy(d -> assertThat(d.getErrorKind()).isEqualTo(ErrorKind.TIMEOUT));
    }

    /**
     * A slot that holds more images than it detects in a timeout is behind, not broken: with `capacity` 128, batches
     * of one image (~50 ms each on one ONNX Runtime thread) and a 1 s timeout, the last images wait seconds behind
     * the others. They wait on, and every image comes out detected. Before, their timeouts failed the job ("the
     * batcher is behind"), which replayed the same backlog after each restart: a CPU slot at `batch.max-size` 64
     * (512 images in flight by default) never committed anything.
     */
    @Test
    void aBacklogLongerThanTheTimeoutWaitsItsTurnInsteadOfFailingTheJob(@TempDir Path dir) throws Exception {
        Path archive = Files.createDirectories(dir.resolve("archive"));
        for (int i = 0; i < 128; i++) {
            Files.copy(coco8.get(i % coco8.size()), archive.resolve("image-" + i + ".jpg"));
        }
        Path out = dir.resolve("out");
        Configuration config = base();
        config.set(ReprocessJobOptions.INPUT_PATH, archive.toString());
        config.set(ReprocessJobOptions.OUTPUT_PATH, out.toString());
        config.set(StreamingJobOptions.PARALLELISM, 1);
        config.set(StreamingJobOptions.MAX_BATCH_SIZE, 1);
        config.set(StreamingJobOptions.CAPACITY, 128);
        config.set(StreamingJobOptions.TIMEOUT, Duration.ofSeconds(1));

        ReprocessReport report = run(config);
        List<DetectionRecord> detections = readAvro(out.resolve("detections"), DetectionRecord.class);
        assertThat(detections).hasSize(128);
        assertThat(readAvro(out.resolve("dead-letters"), DeadLetter.class)).isEmpty();
        assertThat(report.detectionRecords()).isEqualTo(128);
        // all 128 were in flight from the start: the last result, this long after the first, waited past its timeout
        long first = detections.stream().mapToLong(r -> r.getProcessingTime().toEpochMilli()).min().orElseThrow();
        long last = detections.stream().mapToLong(r -> r.getProcessingTime().toEpochMilli()).max().orElseThrow();
        assertThat(Duration.ofMillis(last - first)).as("the backlog outlasted the timeout")
                .isGreaterThan(Duration.ofSeconds(2));
    }

    private static Configuration base() {
        Configuration c = new Configuration();
        c.set(StreamingJobOptions.MODEL, SharedFiles.model().toString());
        c.set(StreamingJobOptions.BACKEND, "onnxruntime");
        c.set(StreamingJobOptions.INTRA_OP_THREADS, 1);
        c.set(StreamingJobOptions.PARALLELISM, 2);
        c.set(StreamingJobOptions.GROUP_ID, "reprocess-it");
        return c;
    }

    private static ReprocessReport run(Configuration config) throws Exception {
        return ReprocessJob.run(StreamExecutionEnvironment.getExecutionEnvironment(), config).orElseThrow();
    }

    private static ImageRecord image(String id) {
        try {
            ImageRecord r = ImageProducer.fromFile(coco8.get(id.hashCode() & 7), "it");
            r.setRecordId(id);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ImageRecord record(String id, byte[] bytes) {
        return ImageRecord.newBuilder().setRecordId(id).setSourceId("it").setImage(ByteBuffer.wrap(bytes)).build();
    }

    /** The records of a sink folder; FileSink makes no folder when nothing was written. */
    static <T extends SpecificRecord> List<T> readAvro(Path dir, Class<T> type) {
        return Files.exists(dir) ? AvroFiles.readAll(dir, type) : List.of();
    }
}
