package io.streamdetect.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.engine.SharedEngines;
import io.streamdetect.jobs.demo.EmbeddedKafka;
import io.streamdetect.jobs.kafka.InputTopic;
import io.streamdetect.jobs.kafka.RecordConsumer;
import io.streamdetect.records.DeadLetter;
import io.streamdetect.records.DetectionRecord;
import io.streamdetect.records.ImageRecord;
import io.streamdetect.testing.SharedFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointFailureReason;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.checkpoint.FailedCheckpointStats;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The detection operator's engine opens in the background, so a job's checkpoints complete while it opens (on a
 * GPU: seconds to deserialize a plan, 15 minutes and more to build one): the real job on the in-process broker and a
 * MiniCluster, with the real model on ONNX Runtime, whose opening is made to take 12 s (the test hook of {@link
 * SharedEngines}: on this CPU it opens in under a second) while checkpoints are triggered every 2 s. Before,
 * the detection task sat in INITIALIZING for the whole opening, and every trigger meanwhile failed (Flink's
 * NOT_ALL_REQUIRED_TASKS_RUNNING). And a model that cannot be opened still fails the job, with a message naming it.
 */
class EngineOpenCheckpointsIT {
    private static final int IMAGES = 8;
    private static final Duration INTERVAL = Duration.ofMillis(2000);
    private static final long OPEN_DELAY_MS = 12_000;

    @AutoClose
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @Test
    void checkpointsCompleteWhileTheEngineOpensAndEveryImageComesOutOnce(@TempDir Path work) throws Exception {
        String run = "slow-open";
        produce(run + "-images");
        Configuration job = job(run, SharedFiles.model(), work);
        // images time out after 8 s: waiting 12 s for the engine must make neither dead letters nor a failure (once
        // it is open, the 8 images take a few seconds on one busy core, OpenCV's and ONNX Runtime's first use included)
        job.set(StreamingJobOptions.TIMEOUT, Duration.ofSeconds(8));
        System.setProperty(SharedEngines.TEST_OPEN_DELAY_PROPERTY, String.valueOf(OPEN_DELAY_MS));
        CheckpointStatsSnapshot stats;
        try (MiniCluster cluster = cluster()) {
            JobID id = submit(cluster, job);
            var result = cluster.requestJobResult(id).get();
            assertThat(result.getSerializedThrowable().map(t -> ExceptionUtils.stringifyException(
                    t.deserializeError(getClass().getClassLoader())))).as("the job's failure").isEmpty();
            stats = cluster.getArchivedExecutionGraph(id).get().getCheckpointStatsSnapshot();
        } finally {
            System.clearProperty(SharedEngines.TEST_OPEN_DELAY_PROPERTY);
        }

        Map<String, Integer> detections = new HashMap<>();
        Instant[] firstProcessed = {Instant.MAX};
        int[] deadLetters = {0};
        try (var det = new RecordConsumer<>(kafka.bootstrapServers(), run + "-detections", DetectionRecord.class,
                new Properties(), true);
             var dead = new RecordConsumer<>(kafka.bootstrapServers(), run + "-dead", DeadLetter.class, new Properties(), true)) {
            det.consume(r -> {
                detections.merge(r.value().getRecordId(), 1, Integer::sum);
                Instant t = r.value().getProcessingTime();
                firstProcessed[0] = t.isBefore(firstProcessed[0]) ? t : firstProcessed[0];
            }, () -> detections.size() >= IMAGES, Duration.ofSeconds(30));
            det.consume(r -> detections.merge(r.value().getRecordId(), 1, Integer::sum), () -> false, Duration.ofSeconds(2));
            dead.consume(r -> deadLetters[0]++, () -> false, Duration.ofSeconds(2));
        }
        assertThat(detections).as("one detection record per image").hasSize(IMAGES);
        assertThat(detections.values()).as("no duplicates").containsOnly(1);
        assertThat(deadLetters[0]).as("dead letters (timeouts while the engine opened)").isZero();

        // a bounded job's last trigger can meet tasks that already finished their input: Flink declines it ("task is
        // closing"), a race at the end of the job, not a checkpoint the engine's opening made fail; every other failed
        // checkpoint, in the history or failed to trigger (not in it), is one this test exists to prevent
        List<FailedCheckpointStats> failed = stats.getHistory().getCheckpoints().stream()
                .filter(c -> c instanceof FailedCheckpointStats).map(c -> (FailedCheckpointStats) c).toList();
        long atEndOfInput = failed.stream().filter(c -> String.valueOf(c.getFailureMessage())
                .contains(CheckpointFailureReason.CHECKPOINT_DECLINED_TASK_CLOSING.message())).count();
        String reasons = failed.stream().map(c -> c.getCheckpointId() + ": " + c.getFailureMessage())
                .collect(Collectors.joining("; "));
        assertThat(stats.getCounts().getNumberOfFailedCheckpoints() - atEndOfInput)
                .as("failed checkpoints but those declined at the end of input (in the history: %s; the others failed "
                        + "to trigger)", reasons).isZero();
        // triggered while the engine opened (before any image was processed), and completed: it waits while the
        // slot holds images it cannot run yet (Flink's async operator takes no checkpoint while its queue is full or
        // it waits for the end of a bounded input), and completes once the engine is open
        long triggeredWhileOpening = stats.getHistory().getCheckpoints().stream()
                .filter(c -> c.getStatus() == CheckpointStatsStatus.COMPLETED)
                .map(AbstractCheckpointStats::getTriggerTimestamp)
                .filter(triggered -> triggered < firstProcessed[0].toEpochMilli()).count();
        assertThat(triggeredWhileOpening).as("completed checkpoints triggered while the engine opened").isPositive();
    }

    @Test
    void aModelThatCannotBeOpenedFailsTheJobWithAMessageNamingIt(@TempDir Path work) throws Exception {
        String run = "corrupt-model";
        produce(run + "-images");
        Path corrupt = work.resolve("corrupt.onnx");
        Files.write(corrupt, "not an ONNX model: a half-copied file".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Configuration job = job(run, corrupt, work);
        job.set(StreamingJobOptions.CAPACITY, 16); // else the job's build reads the model for its batch size, and fails there
        try (MiniCluster cluster = cluster()) {
            JobID id = submit(cluster, job);
            var result = cluster.requestJobResult(id).get();
            assertThat(result.getSerializedThrowable()).as("the job failed").isPresent();
            Throwable failure = result.getSerializedThrowable().get().deserializeError(getClass().getClassLoader());
            assertThat(ExceptionUtils.stringifyException(failure))
                    .contains("streamdetect-0 could not open its model " + corrupt);
        }
    }

    private static void produce(String topic) throws Exception {
        kafka.createTopics(1, topic);
        byte[] bus = Files.readAllBytes(SharedFiles.busJpg());
        List<InputTopic.Input> inputs = new java.util.ArrayList<>();
        for (int i = 0; i < IMAGES; i++) {
            inputs.add(InputTopic.Input.of(ImageRecord.newBuilder().setRecordId("img-" + i).setSourceId("it")
                    .setEventTime(Instant.now()).setImage(java.nio.ByteBuffer.wrap(bus)).setContentType("image/jpeg")
                    .build()));
        }
        InputTopic.write(kafka.bootstrapServers(), topic, inputs);
    }

    private static Configuration job(String run, Path model, Path work) throws Exception {
        kafka.createTopics(1, run + "-detections", run + "-dead");
        Configuration c = new Configuration();
        c.set(StreamingJobOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        c.set(StreamingJobOptions.INPUT_TOPIC, run + "-images");
        c.set(StreamingJobOptions.OUTPUT_TOPIC, run + "-detections");
        c.set(StreamingJobOptions.DEAD_LETTER_TOPIC, run + "-dead");
        c.set(StreamingJobOptions.GROUP_ID, run);
        c.set(StreamingJobOptions.MODEL, model.toString());
        c.set(StreamingJobOptions.BACKEND, "onnxruntime");
        c.set(StreamingJobOptions.INTRA_OP_THREADS, 1);
        c.set(StreamingJobOptions.STARTING_OFFSETS, "earliest");
        c.set(StreamingJobOptions.BOUNDED, true);
        c.set(StreamingJobOptions.CHECKPOINT_DIR, work.resolve("checkpoints").toUri().toString());
        c.set(StreamingJobOptions.CHECKPOINT_INTERVAL, INTERVAL);
        // the first trigger comes a random time up to one interval after the job starts, at least min-pause: with
        // both equal, exactly one interval, by when the Kafka source and sinks are running; the engine is not
        c.setString("execution.checkpointing.min-pause", INTERVAL.toMillis() + " ms");
        return c;
    }

    private static MiniCluster cluster() throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_ADDRESS, "127.0.0.1");
        conf.set(RestOptions.BIND_PORT, "0");
        conf.set(WebOptions.CHECKPOINTS_HISTORY_SIZE, 1000);
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(conf)
                .setNumTaskManagers(1).setNumSlotsPerTaskManager(1).build());
        cluster.start();
        return cluster;
    }

    private static JobID submit(MiniCluster cluster, Configuration job) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        StreamingDetectionJob.build(env, job);
        env.configure(Configuration.fromMap(Map.of("restart-strategy.type", "none")));
        return cluster.submitJob(env.getStreamGraph()).get().getJobID();
    }
}
