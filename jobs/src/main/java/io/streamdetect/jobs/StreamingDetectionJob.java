package io.streamdetect.jobs;

import static io.streamdetect.jobs.StreamingJobOptions.*;

import io.streamdetect.decode.DecodeLimits;
import io.streamdetect.engine.Backend;
import io.streamdetect.engine.Precision;
import io.streamdetect.flink.DetectionOperator;
import io.streamdetect.jobs.kafka.AvroRecordSerializer;
import io.streamdetect.jobs.kafka.ImageRecordDeserializer;
import io.streamdetect.postprocess.PostprocessConfig;
import io.streamdetect.records.DeadLetter;
import io.streamdetect.records.DetectionRecord;
import io.streamdetect.records.ImageRecord;
import java.util.Properties;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

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
        env.setParallelism(config.get(PARALLELISM));
        env.enableCheckpointing(config.get(CHECKPOINT_INTERVAL).toMillis(), CheckpointingMode.EXACTLY_ONCE);

        SingleOutputStreamOperator<Either<DeadLetter, ImageRecord>> input = env
                .fromSource(source(config), WatermarkStrategy.<Either<DeadLetter, ImageRecord>>noWatermarks()
                        .withTimestampAssigner((e, ts) -> e.isRight() ? e.right().getEventTime().toEpochMilli() : ts),
                        "kafka-images")
                .uid("streamdetect-source");
        DataStream<ImageRecord> images = input
                .filter(Either::isRight).name("readable").uid("streamdetect-readable")
                .map(Either::right).returns(new AvroTypeInfo<>(ImageRecord.class)).name("images").uid("streamdetect-images");
        DataStream<DeadLetter> unreadable = input
                .filter(Either::isLeft).name("unreadable").uid("streamdetect-unreadable")
                .map(Either::left).returns(new AvroTypeInfo<>(DeadLetter.class)).name("malformed").uid("streamdetect-malformed");

        DetectionOperator.Outputs outputs = operator(config).apply(beforeDetection.apply(images));

        outputs.detections().sinkTo(sink(config, config.get(OUTPUT_TOPIC), DetectionRecord.class,
                DetectionRecord::getRecordId, "detections")).name("kafka-detections").uid("streamdetect-detections-sink");
        outputs.deadLetters().union(unreadable).sinkTo(sink(config, config.get(DEAD_LETTER_TOPIC), DeadLetter.class,
                DeadLetter::getRecordId, "dead-letters")).name("kafka-dead-letters").uid("streamdetect-dead-letters-sink");
    }

    static DetectionOperator operator(Configuration config) {
        DetectionOperator.Builder builder = DetectionOperator.builder()
                .setModel(config.get(MODEL))
                .setBackend(Backend.parse(config.get(BACKEND)))
                .setPrecision(Precision.parse(config.get(PRECISION)))
                .setIntraOpThreads(config.get(INTRA_OP_THREADS))
                .setMaxBatchSize(config.get(MAX_BATCH_SIZE))
                .setMaxBatchDelay(config.get(MAX_BATCH_DELAY))
                .setDecodeLimits(DecodeLimits.DEFAULT)
                .setPostprocess(new PostprocessConfig(config.get(CONFIDENCE), config.get(IOU), config.get(MAX_DETECTIONS)))
                .setTimeout(config.get(TIMEOUT))
                .setOrdered(config.get(ORDERED));
        config.getOptional(CAPACITY).ifPresent(builder::setCapacity);
        return builder.build();
    }

    static KafkaSource<Either<DeadLetter, ImageRecord>> source(Configuration config) {
        KafkaSourceBuilder<Either<DeadLetter, ImageRecord>> builder = KafkaSource.<Either<DeadLetter, ImageRecord>>builder()
                .setBootstrapServers(config.get(BOOTSTRAP_SERVERS))
                .setTopics(config.get(INPUT_TOPIC))
                .setGroupId(config.get(GROUP_ID))
                .setProperties(kafkaProperties(config))
                .setStartingOffsets(startingOffsets(config.get(STARTING_OFFSETS)))
                .setDeserializer(new ImageRecordDeserializer());
        if (config.get(BOUNDED)) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    private static OffsetsInitializer startingOffsets(String name) {
        return switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "committed" -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            case "earliest" -> OffsetsInitializer.earliest();
            case "latest" -> OffsetsInitializer.latest();
            default -> throw new IllegalArgumentException("starting-offsets must be committed, earliest or latest, got '"
                    + name + "'");
        };
    }

    static <T extends org.apache.avro.specific.SpecificRecord> KafkaSink<T> sink(Configuration config, String topic,
            Class<T> type, org.apache.flink.util.function.SerializableFunction<T, String> key, String name) {
        Properties producer = kafkaProperties(config);
        producer.setProperty("transaction.timeout.ms", String.valueOf(config.get(TRANSACTION_TIMEOUT).toMillis()));
        return KafkaSink.<T>builder()
                .setBootstrapServers(config.get(BOOTSTRAP_SERVERS))
                .setKafkaProducerConfig(producer)
                .setRecordSerializer(new AvroRecordSerializer<>(topic, type, key))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(config.get(GROUP_ID) + "-" + name)
                .build();
    }
}
