package io.streamdetect.jobs.kafka;

import io.streamdetect.records.AvroCodec;
import java.nio.charset.StandardCharsets;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes records to one topic as Avro single-object encoded values, keyed by a record field (the record id). */
public final class AvroRecordSerializer<T extends SpecificRecord> implements KafkaRecordSerializationSchema<T> {
    private static final long serialVersionUID = 1L;

    private final String topic;
    private final AvroCodec<T> codec;
    private final SerializableFunction<T, String> key;
    private final OutputTimestamp timestamp;

    public AvroRecordSerializer(String topic, Class<T> type, SerializableFunction<T, String> key,
                                OutputTimestamp timestamp) {
        this.topic = topic;
        this.codec = AvroCodec.of(type);
        this.key = key;
        this.timestamp = timestamp;
    }

    /** {@code elementTimestamp}: the Flink record's timestamp, the image's event time in these jobs. */
    @Override
    public ProducerRecord<byte[], byte[]> serialize(T record, KafkaSinkContext context, Long elementTimestamp) {
        String k = key.apply(record);
        // null: the producer stamps the record when it is sent
        Long kafkaTimestamp = timestamp == OutputTimestamp.EVENT_TIME ? elementTimestamp : null;
        return new ProducerRecord<>(topic, null, kafkaTimestamp, k == null ? null : k.getBytes(StandardCharsets.UTF_8),
                codec.encode(record));
    }
}
