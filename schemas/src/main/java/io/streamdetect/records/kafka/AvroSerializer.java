package io.streamdetect.records.kafka;

import io.streamdetect.records.AvroCodec;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;

/** Kafka serializer writing Avro single-object encoding; see {@link AvroCodec}. */
public class AvroSerializer<T extends SpecificRecord> implements Serializer<T> {
    private final AvroCodec<T> codec;

    public AvroSerializer(Class<T> recordClass) {
        this.codec = AvroCodec.of(recordClass);
    }

    @Override
    public byte[] serialize(String topic, T record) {
        return record == null ? null : codec.encode(record);
    }
}
