package io.streamdetect.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.jobs.demo.EmbeddedKafka;
import io.streamdetect.jobs.kafka.ImageProducer;
import io.streamdetect.jobs.kafka.InputTopic;
import io.streamdetect.jobs.kafka.InputTopic.Input;
import io.streamdetect.jobs.kafka.RecordConsumer;
import io.streamdetect.records.DeadLetter;
import io.streamdetect.records.DetectionRecord;
import io.streamdetect.records.ErrorKind;
import io.streamdetect.records.ImageRecord;
import io.streamdetect.testing.CheckpointFailureLog;
import io.streamdetect.testing.SharedFiles;
import io.streamdetect.testing.TestImages;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.TransactionState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The streaming job end to end on a real in-process Kafka broker (KRaft) and the Flink MiniCluster, with the
 * real YOLO11n model on ONNX Runtime: every input ends as exactly one detection record or one dead letter,
 * also across a failure and restart.
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.MethodName.class)
class StreamingDetectionJobIT {
    private static final int GOOD = 190;
    private static final int BAD = 10;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    /** Each attempt gets its own topics, group and transactional ids, so a surefire rerun starts clean. */
    private static final AtomicInteger ATTEMPTS = new AtomicInteger();
    private static EmbeddedKafka kafka;
    private static List<Path> images;

    @BeforeAll
    static void listImages() throws Exception {
        images = SharedFiles.coco8ValAndBus();
    }

    /**
     * One broker for both jobs. It applies retention every second from 30 s after its start, so by the second
     * job a record written with an old Kafka timestamp is deleted within a second: the dead letters of images
     * without an event time were, when the sinks wrote event times as record timestamps.
     */
    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopKafka() throws Exception {
        kafka.close();
    }

    /** What one run produced, by record id. */
    record Outcome(Map<String, Integer> detections, Map<String, DeadLetter> deadLetters, Map<String, Integer> deadLetterCounts,
                   long oldestTimestamp) {}

    @Test
    void b2EveryRecordEndsAsOneDetectionOrOneDeadLetter() throws Exception {
        Set<String> good = new HashSet<>();
        Set<String> bad = new HashSet<>();
        String run = "a" + ATTEMPTS.incrementAndGet();
        produce("images-" + run, good, bad);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        StreamingDetectionJob.build(env, config("images-" + run, "detections-" + run, "dead-" + run));
        env.execute("streamdetect-it");

        Outcome outcome = consume("detections-" + run, "dead-" + run);
        assertExactlyOnce(outcome, good, bad, "dead-" + run);
        assertThat(outcome.deadLetters().values()).extracting(DeadLetter::getErrorKind)
                .containsOnly(ErrorKind.MALFORMED_RECORD, ErrorKind.UNSUPPORTED_FORMAT, ErrorKind.TRUNCATED_IMAGE);
        DeadLetter raw = outcome.deadLetters().get("raw-0");
        assertThat(raw.getStage()).isEqualTo("deserialize");
        assertThat(raw.getSource().getTopic()).isEqualTo("images-" + run);
        assertThat(raw.getPayload()).isEqualTo(ByteBuffer.wrap("garbage 0".getBytes(StandardCharsets.UTF_8)));
        DeadLetter cut = outcome.deadLetters().get("truncated-0");
        assertThat(cut.getErrorKind()).isEqualTo(ErrorKind.TRUNCATED_IMAGE);
        assertThat(cut.getStage()).isEqualTo("decode");
        assertThat(cut.getSourceId()).isEqualTo("it");
    }

    @Test
    void a1FailureMidStreamLosesNothingAndDuplicatesNothing() throws Exception {
        failureMidStream(true);
    }

    /** The same with the detections' sink in a task of its own ({@code sink.chained=false}). */
    @Test
    void a2FailureMidStreamWithTheSinkInATaskOfItsOwnLosesNothingAndDuplicatesNothing() throws Exception {
        failureMidStream(false);
    }

    private void failureMidStream(boolean sinkChained) throws Exception {
        Set<String> good = new HashSet<>();
        Set<String> bad = new HashSet<>();
        String run = "b" + ATTEMPTS.incrementAndGet();
        produce("images-" + run, good, bad);
        FailOnceAfterCheckpoint.reset();

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Configuration c = config("images-" + run, "detections-" + run, "dead-" + run);
        c.set(StreamingJobOptions.SINK_CHAINED, sinkChained);
        StreamingDetectionJob.build(env, c,
                s -> s.map(new FailOnceAfterCheckpoint()).returns(new AvroTypeInfo<>(ImageRecord.class)));
        env.execute("streamdetect-it-failure");

        assertThat(FailOnceAfterCheckpoint.FAILED).as("the injected failure happened").isTrue();
        assertExactlyOnce(consume("detections-" + run, "dead-" + run), good, bad, "dead-" + run);
    }

    /**
     * {@code sink.chained} can change between runs: a job stopped with a savepoint under one value and started from
     * it under the other writes every record exactly once (state maps to operators by uid, not by task), both ways.
     */
    @Test
    void e5TheSinkCanBeUnchainedAndChainedAgainAcrossASavepoint() throws Exception {
        switchSinkChainingAcrossASavepoint(true);
        switchSinkChainingAcrossASavepoint(false);
    }

    private void switchSinkChainingAcrossASavepoint(boolean chainedFirst) throws Exception {
        Set<String> good = new HashSet<>();
        Set<String> bad = new HashSet<>();
        String run = "e" + ATTEMPTS.incrementAndGet();
        String detections = "detections-" + run;
        produce("images-" + run, good, bad);
        Configuration c = config("images-" + run, detections, "dead-" + run);
        c.set(StreamingJobOptions.BOUNDED, false);

        c.set(StreamingJobOptions.SINK_CHAINED, chainedFirst);
        StreamExecutionEnvironment first = StreamExecutionEnvironment.getExecutionEnvironment();
        StreamingDetectionJob.build(first, c);
        JobClient job = first.executeAsync("streamdetect-it-sink-chained-" + chainedFirst);
        assertThat(committedDetections(detections, 30, Duration.ofSeconds(120))).as("detections before the savepoint")
                .isGreaterThanOrEqualTo(30);
        String savepoint = job.stopWithSavepoint(false, Files.createTempDirectory("streamdetect-it-savepoint").toUri()
                .toString(), SavepointFormatType.CANONICAL).get();

        c.set(StreamingJobOptions.SINK_CHAINED, !chainedFirst);
        c.setString("execution.state-recovery.path", savepoint);
        StreamExecutionEnvironment second = StreamExecutionEnvironment.getExecutionEnvironment();
        StreamingDetectionJob.build(second, c);
        JobClient resumed = second.executeAsync("streamdetect-it-sink-chained-" + !chainedFirst);
        try {
            long resumedAt = System.nanoTime();
            int seen = committedDetections(detections, GOOD, Duration.ofSeconds(180));
            Outcome outcome = consume(detections, "dead-" + run);
            // a rare CI failure saw 189 of 190 here: a failure says where the missing ones are (written but not
            // committed, or never written) and how the resumed job stands
            assertExactlyOnce(outcome, good, bad, "dead-" + run, missing -> String.format("sink chained first %s, "
                    + "%.0f s after the resume (%d detections seen then); the resumed job %s, its failures %s; the "
                    + "missing detections as written to %s, committed or not: %s", chainedFirst,
                    (System.nanoTime() - resumedAt) / 1e9, seen, resumed.getJobStatus().join(), failures(resumed),
                    detections, uncommitted(detections, missing)));
        } finally {
            resumed.cancel().get();
        }
    }

    /**
     * A bounded job whose two slots finish far apart (one partition holds 2 images, the other 40) takes its
     * checkpoints while only one slot runs, as FLIP-147 allows. The detection operator held union list state for
     * model.watch even without it, and Flink then declined every such checkpoint ("has used UnionListState, but part
     * of its tasks has called operators' finish method": two slots on the H200, docs/benchmarks.md session 15).
     */
    @Test
    void f6ABoundedJobWhoseSlotsFinishApartFailsNoCheckpoint() throws Exception {
        String run = "f" + ATTEMPTS.incrementAndGet();
        String in = "images-" + run;
        kafka.createTopics(2, in);
        Set<String> ids = new HashSet<>();
        int[] perPartition = {0, 0};
        try (ImageProducer producer = new ImageProducer(kafka.bootstrapServers(), new Properties())) {
            for (int i = 0; perPartition[0] < 40 || perPartition[1] < 2; i++) {
                String id = "img-" + i;
                // the default partitioner's choice for a keyed record (the record id is the key)
                int partition = org.apache.kafka.common.utils.Utils.toPositive(
                        org.apache.kafka.common.utils.Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % 2;
                if (perPartition[partition] >= (partition == 0 ? 40 : 2)) {
                    continue;
                }
                perPartition[partition]++;
                ImageRecord bus = ImageProducer.fromFile(SharedFiles.busJpg(), "it");
                bus.setRecordId(id);
                producer.send(in, bus).get();
                ids.add(id);
            }
        }
        Configuration c = config(in, "detections-" + run, "dead-" + run);
        c.set(StreamingJobOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(100));
        try (CheckpointFailureLog failures = new CheckpointFailureLog()) {
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            StreamingDetectionJob.build(env, c);
            JobClient job = env.executeAsync("streamdetect-it-finish-apart");
            job.getJobExecutionResult().get();

            assertThat(consume("detections-" + run, "dead-" + run).detections()).containsOnlyKeys(ids);
            // what the 100 ms interval brings: triggers refused while the tasks still start, and one as the job ends
            assertThat(failures.of(job.getJobID())).extracting(CheckpointFailureLog.Failure::reason)
                    .noneMatch(reason -> reason.contains("UnionListState"))
                    .allMatch(reason -> reason.contains("Not all required tasks are currently running")
                            || reason.equals("Periodic checkpoint scheduler is shut down."));
        }
    }

    /** The job's exception history from the MiniCluster's REST API (restarts and their causes), shortened. */
    private static String failures(JobClient job) {
        Configuration client = FLINK.getClientConfiguration();
        URI uri = URI.create("http://" + client.get(RestOptions.ADDRESS) + ":" + client.get(RestOptions.PORT)
                + "/jobs/" + job.getJobID() + "/exceptions?maxExceptions=5");
        try {
            String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            return body.length() > 4000 ? body.substring(0, 4000) + "..." : body;
        } catch (Exception e) {
            return "unknown (" + e + ")";
        }
    }

    /** Distinct detection ids committed to {@code topic}, read until there are {@code atLeast} or time is up. */
    private static int committedDetections(String topic, int atLeast, Duration timeout) {
        Set<String> ids = new HashSet<>();
        try (var det = new RecordConsumer<>(kafka.bootstrapServers(), topic, DetectionRecord.class, new Properties(), true)) {
            det.consume(r -> ids.add(r.value().getRecordId()), () -> ids.size() >= atLeast, timeout);
        }
        return ids.size();
    }

    /**
     * Dead letters carry the image: one of a 3 MB truncated frame (over the producer's 1 MB default request) is
     * written once, and the job goes on; before, the sink failed and the job restarted into the same record.
     * The broker allows 16 MB records, as a user's topics must (README, "Input rules").
     */
    @Test
    void c3ADeadLetterOfA3MbImageIsWrittenOnce() throws Exception {
        String run = "c" + ATTEMPTS.incrementAndGet();
        String in = "images-" + run;
        kafka.createTopics(1, in);
        byte[] padded = TestImages.withComments(TestImages.bus(), 3 << 20);
        byte[] big = java.util.Arrays.copyOf(padded, padded.length - 50_000); // cut inside the scan data
        assertThat(big.length).isGreaterThan(3 << 20);
        try (ImageProducer producer = new ImageProducer(kafka.bootstrapServers(), new Properties())) {
            producer.send(in, image("big-truncated", big)).get();
            ImageRecord bus = ImageProducer.fromFile(SharedFiles.busJpg(), "it");
            bus.setRecordId("bus");
            producer.send(in, bus).get();
        }

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Configuration c = config(in, "detections-" + run, "dead-" + run);
        c.set(StreamingJobOptions.PARALLELISM, 1);
        StreamingDetectionJob.build(env, c);
        // a sink that cannot write the dead letter fails the job; without this it would restart forever
        env.configure(Configuration.fromMap(Map.of("restart-strategy.type", "none")));
        env.execute("streamdetect-it-large-dead-letter");

        List<DeadLetter> dead = new ArrayList<>();
        try (var consumer = new RecordConsumer<>(kafka.bootstrapServers(), "dead-" + run, DeadLetter.class,
                new Properties(), true)) {
            consumer.consume(r -> dead.add(r.value()), () -> false, Duration.ofSeconds(5));
        }
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).getRecordId()).isEqualTo("big-truncated");
        assertThat(dead.get(0).getErrorKind()).isEqualTo(ErrorKind.TRUNCATED_IMAGE);
        assertThat(dead.get(0).getPayload()).isEqualTo(ByteBuffer.wrap(big));
    }

    /**
     * Issue 13: 100 failovers in a row, each while the detection operator holds batches in flight (its restored
     * in-flight images are resubmitted at once after every restart), then a clean run to the end. Before the fix a
     * cancel freed a running batch's native memory and crashed the JVM; here the fork must survive, leave no
     * batcher thread behind, and every record must still come out exactly once.
     */
    @Test
    void d4HundredFailoversWithBatchesInFlightCrashNothingLeakNoThreadAndLoseNothing() throws Exception {
        Set<String> good = new HashSet<>();
        Set<String> bad = new HashSet<>();
        String run = "c" + ATTEMPTS.incrementAndGet();
        produce("images-" + run, good, bad);
        FailRepeatedly.FAILURES.set(0);

        Configuration restarts = new Configuration();
        restarts.setString("restart-strategy.type", "fixed-delay");
        restarts.setString("restart-strategy.fixed-delay.attempts", String.valueOf(FailRepeatedly.CYCLES + 10));
        restarts.setString("restart-strategy.fixed-delay.delay", "10 ms");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(restarts);
        StreamingDetectionJob.build(env, config("images-" + run, "detections-" + run, "dead-" + run),
                s -> s.map(new FailRepeatedly()).returns(new AvroTypeInfo<>(ImageRecord.class)));
        env.execute("streamdetect-it-failover-loop");

        assertThat(FailRepeatedly.FAILURES).as("failovers").hasValue(FailRepeatedly.CYCLES);
        assertExactlyOnce(consume("detections-" + run, "dead-" + run), good, bad, "dead-" + run);
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!batcherThreads().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(batcherThreads()).as("micro-batcher threads left running").isEmpty();
    }

    private static List<String> batcherThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.matches("streamdetect-\\d+-(prepare|inference)")).toList();
    }

    /**
     * Fails the job {@link #CYCLES} times on one record: the source's checkpointed offsets never pass it, so every
     * restart replays up to it again, while the detection operator resubmits the images it held at the last
     * checkpoint: batches are in flight at every cancel.
     */
    static final class FailRepeatedly implements MapFunction<ImageRecord, ImageRecord> {
        static final int CYCLES = 100;
        static final String POISON = "img-12";
        static final AtomicInteger FAILURES = new AtomicInteger();

        @Override
        public ImageRecord map(ImageRecord image) {
            if (image.getRecordId().equals(POISON) && FAILURES.getAndUpdate(f -> f < CYCLES ? f + 1 : f) < CYCLES) {
                throw new IllegalStateException("injected failure " + FAILURES.get() + " at " + image.getRecordId());
            }
            return image;
        }
    }

    /** Throws once, after a checkpoint has completed and some records passed, so the restart has state. */
    static final class FailOnceAfterCheckpoint implements MapFunction<ImageRecord, ImageRecord>, CheckpointListener {
        static final AtomicBoolean FAILED = new AtomicBoolean();
        static final AtomicBoolean CHECKPOINTED = new AtomicBoolean();
        static final AtomicInteger SEEN = new AtomicInteger();

        static void reset() {
            FAILED.set(false);
            CHECKPOINTED.set(false);
            SEEN.set(0);
        }

        @Override
        public ImageRecord map(ImageRecord image) {
            if (SEEN.incrementAndGet() > 60 && CHECKPOINTED.get() && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure at record " + image.getRecordId());
            }
            return image;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            CHECKPOINTED.set(true);
        }
    }

    private static Configuration config(String in, String out, String dead) throws Exception {
        kafka.createTopics(2, out, dead);
        Configuration c = TestJobConfigs.onBroker(kafka.bootstrapServers(), in, out, dead);
        c.set(StreamingJobOptions.BOUNDED, true);
        c.set(StreamingJobOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(500));
        c.set(StreamingJobOptions.MAX_BATCH_SIZE, 8);
        return c;
    }

    /** 190 real images and 10 malformed records: 5 values that are not ImageRecords, 5 unreadable images. */
    private static void produce(String topic, Set<String> good, Set<String> bad) throws Exception {
        kafka.createTopics(2, topic);
        byte[] bus = TestImages.bus();
        List<Input> inputs = new ArrayList<>();
        for (int i = 0; i < GOOD + BAD; i++) {
            if (i % 20 == 7) {
                int k = i / 20;
                if (k < 5) {
                    String id = "raw-" + k;
                    inputs.add(Input.raw(id, ("garbage " + k).getBytes(StandardCharsets.UTF_8)));
                    bad.add(id);
                } else {
                    String id = (k % 2 == 0 ? "text-" : "truncated-") + (k - 5);
                    byte[] bytes = k % 2 == 0 ? "<html>not an image</html>".getBytes(StandardCharsets.UTF_8)
                            : TestImages.truncated(bus, 0.4);
                    inputs.add(Input.of(image(id, bytes)));
                    bad.add(id);
                }
                continue;
            }
            ImageRecord r = ImageProducer.fromFile(images.get(i % images.size()), "it");
            r.setRecordId("img-" + i);
            inputs.add(Input.of(r));
            good.add(r.getRecordId());
        }
        assertThat(good).hasSize(GOOD);
        assertThat(bad).hasSize(BAD);
        Map<String, Long> written = InputTopic.write(kafka.bootstrapServers(), topic, inputs);
        Set<String> all = new HashSet<>(good);
        all.addAll(bad);
        assertThat(written.keySet()).as("the input topic holds every input").isEqualTo(all);
        assertThat(written.values()).as("each once").containsOnly(1L);
    }

    private static ImageRecord image(String id, byte[] bytes) {
        return ImageRecord.newBuilder().setRecordId(id).setSourceId("it").setImage(ByteBuffer.wrap(bytes)).build();
    }

    private static String uncommittedDeadLetters(String topic) {
        return uncommitted(topic, null);
    }

    /**
     * Every record of {@code topic} read with read_uncommitted (those of open and aborted transactions too), as
     * partition@offset=key, only those keyed in {@code keys} unless it is null.
     */
    private static String uncommitted(String topic, Set<String> keys) {
        StringBuilder out = new StringBuilder();
        for (var r : InputTopic.readAll(kafka.bootstrapServers(), topic)) {
            if (keys == null || keys.contains(r.key())) {
                out.append(topic).append(':').append(r.partition()).append('@').append(r.offset()).append('=')
                        .append(r.key()).append(' ');
            }
        }
        return out.toString();
    }

    /**
     * The broker's transactions that have not ended (an ONGOING one pins read_committed consumers), with their
     * states; the empty and completed ones, hundreds after a few tests, only counted.
     */
    private static String transactions() {
        Properties props = new Properties();
        props.put("bootstrap.servers", kafka.bootstrapServers());
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(props)) {
            var all = admin.listTransactions().all().get();
            var open = all.stream().filter(t -> !Set.of(TransactionState.EMPTY, TransactionState.COMPLETE_COMMIT,
                    TransactionState.COMPLETE_ABORT).contains(t.state())).map(t -> t.transactionalId() + "=" + t.state())
                    .sorted().toList();
            return open + " (and " + (all.size() - open.size()) + " empty or ended)";
        } catch (Exception e) {
            return "unknown (" + e + ")";
        }
    }

    private static Outcome consume(String detectionTopic, String deadTopic) {
        Map<String, Integer> detections = new HashMap<>();
        Map<String, DeadLetter> deadLetters = new HashMap<>();
        Map<String, Integer> deadCounts = new HashMap<>();
        long[] oldest = {Long.MAX_VALUE};
        try (var det = new RecordConsumer<>(kafka.bootstrapServers(), detectionTopic, DetectionRecord.class, new Properties(), true);
             var dead = new RecordConsumer<>(kafka.bootstrapServers(), deadTopic, DeadLetter.class, new Properties(), true)) {
            det.consume(r -> {
                detections.merge(r.value().getRecordId(), 1, Integer::sum);
                oldest[0] = Math.min(oldest[0], r.timestamp());
            }, () -> detections.size() >= GOOD, Duration.ofSeconds(30));
            dead.consume(r -> {
                deadLetters.put(r.value().getRecordId(), r.value());
                deadCounts.merge(r.value().getRecordId(), 1, Integer::sum);
                oldest[0] = Math.min(oldest[0], r.timestamp());
            }, () -> deadLetters.size() >= BAD, Duration.ofSeconds(30));
            // anything committed twice would already be there: read a little longer to be sure nothing more comes
            det.consume(r -> detections.merge(r.value().getRecordId(), 1, Integer::sum), () -> false, Duration.ofSeconds(2));
        }
        return new Outcome(detections, deadLetters, deadCounts, oldest[0]);
    }

    private static void assertExactlyOnce(Outcome outcome, Set<String> good, Set<String> bad, String deadTopic) {
        assertExactlyOnce(outcome, good, bad, deadTopic, missing -> "");
    }

    /**
     * @param context what else to say when a check fails, given the good images without a detection; like the
     *                rest of a failure's diagnosis (seconds of reading the broker), computed only on failure
     */
    private static void assertExactlyOnce(Outcome outcome, Set<String> good, Set<String> bad, String deadTopic,
                                          java.util.function.Function<Set<String>, String> context) {
        Supplier<String> diagnosis = () -> {
            Set<String> missing = new HashSet<>(good);
            missing.removeAll(outcome.detections().keySet());
            return context.apply(missing) + "; dead letters of good images: " + missing.stream()
                    .map(outcome.deadLetters()::get).filter(java.util.Objects::nonNull).toList()
                    + "; transactions not ended: " + transactions() + "; uncommitted dead letters: "
                    + uncommittedDeadLetters(deadTopic);
        };
        assertThat(outcome.detections().keySet()).as(() -> "one detection record per good image; " + diagnosis.get())
                .isEqualTo(good);
        assertThat(outcome.detections().values()).as("no duplicates").containsOnly(1);
        assertThat(outcome.deadLetters().keySet()).as(() -> "one dead letter per bad record; " + diagnosis.get())
                .isEqualTo(bad);
        assertThat(outcome.deadLetterCounts().values()).containsOnly(1);
        // the records' Kafka timestamps are when they were written, not the event time (1970 for the bad records,
        // which have none): retention would delete those at once
        assertThat(outcome.oldestTimestamp()).as("oldest Kafka timestamp of the outputs")
                .isGreaterThan(System.currentTimeMillis() - Duration.ofMinutes(10).toMillis());
    }
}
