package io.streamdetect.jobs;

import static io.streamdetect.jobs.StreamingJobOptions.*;

import io.streamdetect.flink.DetectionOperator;
import io.streamdetect.flink.DetectionOptions;
import io.streamdetect.jobs.kafka.ImageFetchDefaults;
import io.streamdetect.jobs.kafka.ImageRecordDeserializer;
import io.streamdetect.jobs.kafka.OffsetSpec;
import io.streamdetect.records.DeadLetter;
import io.streamdetect.records.DetectionRecord;
import io.streamdetect.records.ImageRecord;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.RecoveryClaimMode;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;

/**
 * Kafka ImageRecords → detection operator → Kafka DetectionRecords, exactly once; unreadable records and
 * failed images → the dead-letter topic, also exactly once. Settings: {@link StreamingJobOptions}.
 */
public final class StreamingDetectionJob {
    private StreamingDetectionJob() {}

    /** Adds the job to {@code env} with checkpointing enabled. */
    public static void build(StreamExecutionEnvironment env, Configuration config) {
        build(env, config, UnaryOperator.identity());
    }

    /**
     * As {@link #build(StreamExecutionEnvironment, Configuration)}, with {@code beforeDetection} applied to
     * the readable images first (tests use it to inject a failure mid-stream).
     */
    public static void build(StreamExecutionEnvironment env, Configuration config,
                             UnaryOperator<DataStream<ImageRecord>> beforeDetection) {
        validate(config);
        DetectionOperator operator = operator(config);
        Configuration checkpointing = checkpointing(config);
        env.configure(checkpointing);
        ObjectReuse.configure(env, config);
        Configuration effective = Configuration.fromMap(env.getConfiguration().toMap());
        CheckpointStorageGuard.check(operator.settings().capacity(), config.get(MAX_BYTES), effective);
        env.setParallelism(config.get(PARALLELISM));
        long interval = config.get(CHECKPOINT_INTERVAL).toMillis();
        env.enableCheckpointing(interval, CheckpointingMode.EXACTLY_ONCE);
        if (!effective.contains(CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS)) {
            // Flink triggers the first checkpoint a random time between min-pause and one interval after the job (or
            // a restart) starts, and a trigger while a task still initializes fails (NOT_ALL_REQUIRED_TASKS_RUNNING):
            // the Kafka source and sinks take ~0.3-1 s to start. Half an interval keeps the first trigger after that
            // and costs the cadence nothing while a checkpoint takes less than half an interval.
            env.getCheckpointConfig().setMinPauseBetweenCheckpoints(interval / 2);
        }
        if (!effective.contains(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION)) {
            // a stopped job (cancelled, or its process killed) can be started again from its last checkpoint
            env.getCheckpointConfig().setExternalizedCheckpointRetention(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        }

        InputRecords input = InputRecords.split(env
                .fromSource(source(config), WatermarkStrategy.<Either<DeadLetter, ImageRecord>>noWatermarks()
                        .withTimestampAssigner((e, ts) -> e.isRight() ? e.right().getEventTime().toEpochMilli() : ts),
                        "kafka-images")
                .uid("streamdetect-source"));

        DetectionOperator.Outputs outputs = operator.apply(beforeDetection.apply(input.images()));

        // sink.chained=false: a rescale edge (subtask i to subtask i at equal parallelism) gives the writer and its
        // committer one task of their own, as the dead letters' sink has after its union; disableChaining() on the
        // sink would split the committer from the writer too
        DataStream<DetectionRecord> detections = config.get(SINK_CHAINED) ? outputs.detections()
                : outputs.detections().rescale();
        detections.sinkTo(RecordSinks.kafka(config, config.get(OUTPUT_TOPIC), DetectionRecord.class,
                DetectionRecord::getRecordId, "detections")).name("kafka-detections").uid("streamdetect-detections-sink");
        outputs.deadLetters().union(input.unreadable())
                .map(new DeadLetterPayloads(config.get(MAX_BYTES))).returns(new AvroTypeInfo<>(DeadLetter.class))
                .name("dead-letter-payloads").uid("streamdetect-dead-letter-payloads")
                .sinkTo(RecordSinks.kafka(config, config.get(DEAD_LETTER_TOPIC),
                DeadLetter.class, DeadLetter::getRecordId, "dead-letters"))
                .name("kafka-dead-letters").uid("streamdetect-dead-letters-sink");
    }

    /**
     * The Flink settings for checkpoints and recovery: {@code checkpoint.dir} as Flink's checkpoint directory, and
     * Flink's own {@code execution.*} and {@code state.*} keys given with the job's settings (-D), such as
     * {@code execution.state-recovery.path}. A restore claims its checkpoint, so Flink deletes it once a newer one
     * is retained instead of keeping every run's last checkpoint forever.
     */
    static Configuration checkpointing(Configuration config) {
        Configuration flink = new Configuration();
        config.toMap().forEach((k, v) -> {
            if (k.startsWith("execution.") || k.startsWith("state.")) {
                flink.setString(k, v);
            }
        });
        config.getOptional(CHECKPOINT_DIR).ifPresent(dir -> flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, dir));
        if (flink.contains(StateRecoveryOptions.SAVEPOINT_PATH) && !flink.contains(StateRecoveryOptions.RESTORE_MODE)) {
            flink.set(StateRecoveryOptions.RESTORE_MODE, RecoveryClaimMode.CLAIM);
        }
        return flink;
    }

    static DetectionOperator operator(Configuration config) {
        DetectionOperator.Builder builder = DetectionOptions.builder(config).setOrdered(config.get(ORDERED));
        config.getOptional(CAPACITY).ifPresent(builder::setCapacity);
        return builder.build();
    }

    static KafkaSource<Either<DeadLetter, ImageRecord>> source(Configuration config) {
        return source(config, config.get(STARTING_OFFSETS), config.get(BOUNDED) ? "latest" : null);
    }

    /** The input topic from {@code starting} to {@code stopping} ({@link OffsetSpec}; null: never stop). */
    static KafkaSource<Either<DeadLetter, ImageRecord>> source(Configuration config, String starting, String stopping) {
        String topic = config.get(INPUT_TOPIC);
        KafkaSourceBuilder<Either<DeadLetter, ImageRecord>> builder = KafkaSource.<Either<DeadLetter, ImageRecord>>builder()
                .setBootstrapServers(config.get(BOOTSTRAP_SERVERS))
                .setTopics(topic)
                .setGroupId(config.get(GROUP_ID))
                .setProperties(ImageFetchDefaults.under(kafkaProperties(config)))
                .setStartingOffsets(OffsetSpec.starting(starting, topic))
                .setDeserializer(new ImageRecordDeserializer());
        if (stopping != null) {
            builder.setBounded(OffsetSpec.stopping(stopping, topic));
        }
        return builder.build();
    }
}
