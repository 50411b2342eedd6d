package io.streamdetect.jobs.kafka;

import io.streamdetect.records.ImageRecord;
import io.streamdetect.records.kafka.AvroSerializer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Sends {@link ImageRecord}s to Kafka, keyed by record id; idempotent, acks=all. */
public final class ImageProducer implements AutoCloseable {
    private final KafkaProducer<String, ImageRecord> producer;

    public ImageProducer(String bootstrapServers, Properties extra) {
        Properties props = new Properties();
        props.putAll(extra);
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        props.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.putIfAbsent(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(16 << 20));
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        this.producer = new KafkaProducer<>(props, new StringSerializer(), new AvroSerializer<>(ImageRecord.class));
    }

    public Future<RecordMetadata> send(String topic, ImageRecord image) {
        return producer.send(new ProducerRecord<>(topic, image.getRecordId(), image));
    }

    /** Sends raw bytes as a value, bypassing the Avro serializer (tests use it for malformed records). */
    public static Future<RecordMetadata> sendRaw(KafkaProducer<String, byte[]> raw, String topic, String key, byte[] value) {
        return raw.send(new ProducerRecord<>(topic, key, value));
    }

    public static KafkaProducer<String, byte[]> rawProducer(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }

    public void flush() {
        producer.flush();
    }

    /** An ImageRecord for a file: record id = file name + random suffix, event time = now. */
    public static ImageRecord fromFile(Path file, String sourceId) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        String name = file.getFileName().toString();
        return ImageRecord.newBuilder()
                .setSourceId(sourceId)
                .setRecordId(name + "-" + UUID.randomUUID().toString().substring(0, 8))
                .setEventTime(Instant.now())
                .setImage(ByteBuffer.wrap(bytes))
                .setContentType(name.toLowerCase(Locale.ROOT).endsWith(".png") ? "image/png" : "image/jpeg")
                .setAttributes(Map.of("file", file.toString()))
                .build();
    }

    @Override
    public void close() {
        producer.close();
    }
}
