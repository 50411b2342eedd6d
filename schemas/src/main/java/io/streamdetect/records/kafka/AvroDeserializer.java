package io.streamdetect.records.kafka;

import io.streamdetect.records.AvroCodec;
import io.streamdetect.records.RecordFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka deserializer for Avro single-object encoding; see {@link AvroCodec}.
 *
 * <p>Configuration: {@value #WRITER_SCHEMAS_CONFIG}, a comma-separated list of .avsc files of newer writer
 * schemas to resolve (older released versions are always known).
 */
public class AvroDeserializer<T extends SpecificRecord> implements Deserializer<T> {
    public static final String WRITER_SCHEMAS_CONFIG = "streamdetect.avro.writer.schemas";

    private AvroCodec<T> codec;

    public AvroDeserializer(Class<T> recordClass) {
        this.codec = AvroCodec.of(recordClass);
    }

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        Object files = configs.get(WRITER_SCHEMAS_CONFIG);
        if (files == null || files.toString().isBlank()) {
            return;
        }
        List<String> schemas = new ArrayList<>();
        for (String file : files.toString().split(",")) {
            try {
                schemas.add(Files.readString(Path.of(file.trim())));
            } catch (IOException e) {
                throw new UncheckedIOException(WRITER_SCHEMAS_CONFIG + ": cannot read " + file, e);
            }
        }
        codec = codec.withWriterSchemas(schemas);
    }

    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) {
            return null;
        }
        try {
            return codec.decode(data);
        } catch (RecordFormatException e) {
            throw new SerializationException("topic " + topic + ": " + e.getMessage(), e);
        }
    }
}
