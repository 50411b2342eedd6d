package io.streamdetect.jobs;

import static io.streamdetect.jobs.StreamingJobOptions.*;

import io.streamdetect.jobs.kafka.AvroRecordSerializer;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecordBase;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.core.fs.Path;
import org.apache.flink.formats.avro.AvroWriters;
import org.apache.flink.streaming.api.functions.sink.filesystem.OutputFileConfig;
import org.apache.flink.streaming.api.functions.sink.filesystem.bucketassigners.BasePathBucketAssigner;
import org.apache.flink.util.function.SerializableFunction;

/** Where the jobs write their records: Kafka topics (exactly once) or Avro container files. */
public final class RecordSinks {
    private RecordSinks() {}

    /**
     * Exactly-once Kafka sink of Avro single-object-encoded records keyed by {@code key}; transactions commit at
     * each checkpoint (streaming) or at the end of the input (batch). Record timestamps: {@code output.timestamp}.
     */
    public static <T extends SpecificRecordBase> KafkaSink<T> kafka(Configuration config, String topic, Class<T> type,
            SerializableFunction<T, String> key, String name) {
        Properties producer = kafkaProperties(config);
        producer.setProperty("transaction.timeout.ms", String.valueOf(config.get(TRANSACTION_TIMEOUT).toMillis()));
        sizeForImages(producer, config.get(MAX_BYTES));
        return KafkaSink.<T>builder()
                .setBootstrapServers(config.get(BOOTSTRAP_SERVERS))
                .setKafkaProducerConfig(producer)
                .setRecordSerializer(new AvroRecordSerializer<>(topic, type, key, outputTimestamp(config)))
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(config.get(GROUP_ID) + "-" + name)
                .build();
    }

    /**
     * Room for a record's fields besides the image: ids, message, attributes, detections, Avro and Kafka framing.
     */
    static final long RECORD_HEADROOM_BYTES = 1L << 20;
    private static final long KAFKA_DEFAULT_BUFFER_MEMORY = 32L << 20;

    /**
     * Dead letters carry the image: with the producer's default {@code max.request.size} of 1 MB, a dead letter
     * of a 2 MB frame failed the sink, and the job restarted into the same record forever. The largest image the
     * job accepts ({@code decode.max-bytes}) plus headroom must fit in one request, and twice that in the
     * producer's buffer. Values set with {@code kafka.max.request.size} / {@code kafka.buffer.memory} win.
     */
    static void sizeForImages(Properties producer, long maxImageBytes) {
        long request = maxImageBytes + RECORD_HEADROOM_BYTES;
        producer.putIfAbsent("max.request.size", String.valueOf(Math.min(request, Integer.MAX_VALUE)));
        producer.putIfAbsent("buffer.memory", String.valueOf(Math.max(KAFKA_DEFAULT_BUFFER_MEMORY, 2 * request)));
    }

    /**
     * Avro container files ({@code NAME-<uuid>-<n>.avro}, schema in each file's header) in {@code dir}, on any
     * file system Flink has; files appear under their final names when the job (batch) or a checkpoint
     * (streaming) completes. Read them with any Avro reader, e.g. {@code avro-tools tojson}.
     */
    public static <T extends SpecificRecordBase> FileSink<T> avroFiles(String dir, Class<T> type, String name) {
        return FileSink.forBulkFormat(new Path(dir), AvroWriters.forSpecificRecord(type))
                .withBucketAssigner(new BasePathBucketAssigner<>())
                .withOutputFileConfig(OutputFileConfig.builder().withPartPrefix(name).withPartSuffix(".avro").build())
                .build();
    }
}
