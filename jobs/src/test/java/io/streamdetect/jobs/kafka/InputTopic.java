package io.streamdetect.jobs.kafka;

import io.streamdetect.records.ImageRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A test's input topic: written, read back, and what the broker refused sent again, so that a test starts from
 * exactly its input. Under load the in-process broker once refused the batch holding a test's first image
 * ({@code OutOfOrderSequenceException} on the input topic), the producer gave up on it, and the job under test was
 * blamed for a detection it never had the image for (StreamingDetectionJobIT e5, session 9).
 */
public final class InputTopic {
    private static final int ATTEMPTS = 3;

    private InputTopic() {}

    /** One input record, keyed by {@code id}: an ImageRecord, or raw bytes that are not one. */
    public record Input(String id, ImageRecord image, byte[] raw) {
        public static Input of(ImageRecord image) {
            return new Input(image.getRecordId(), image, null);
        }

        public static Input raw(String id, byte[] value) {
            return new Input(id, null, value);
        }
    }

    /**
     * Sends {@code inputs} to {@code topic}, then reads the topic back and sends again, by new producers, each
     * input whose key is not there, up to 3 times in all (each resend is printed).
     *
     * @return how many records of the topic have each key, as last read back
     * @throws IllegalStateException when an input is still missing after that
     */
    public static Map<String, Long> write(String bootstrap, String topic, List<Input> inputs) {
        List<Input> toSend = inputs;
        Map<String, Long> written = Map.of();
        for (int attempt = 1; attempt <= ATTEMPTS && !toSend.isEmpty(); attempt++) {
            send(bootstrap, topic, toSend);
            written = keyCounts(bootstrap, topic);
            Set<String> present = written.keySet();
            toSend = inputs.stream().filter(in -> !present.contains(in.id())).toList();
            if (!toSend.isEmpty()) {
                System.out.println("input records not written to " + topic + " (attempt " + attempt + "): "
                        + toSend.stream().map(Input::id).toList());
            }
        }
        if (!toSend.isEmpty()) {
            throw new IllegalStateException(toSend.size() + " input record(s) not written to " + topic + " after "
                    + ATTEMPTS + " attempts: " + toSend.stream().map(Input::id).toList());
        }
        return written;
    }

    /** How many records of {@code topic} have each key. */
    public static Map<String, Long> keyCounts(String bootstrap, String topic) {
        return readAll(bootstrap, topic).stream().collect(Collectors.groupingBy(ConsumerRecord::key,
                Collectors.counting()));
    }

    /**
     * Every record of {@code topic} up to its end offsets, read with read_uncommitted (those of open and aborted
     * transactions too), by explicit assignment from the beginning: a group join could skip the first records.
     */
    public static List<ConsumerRecord<String, byte[]>> readAll(String bootstrap, String topic) {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrap);
        p.put("isolation.level", "read_uncommitted");
        p.put("max.partition.fetch.bytes", String.valueOf(16 << 20));
        List<ConsumerRecord<String, byte[]>> out = new java.util.ArrayList<>();
        try (var c = new KafkaConsumer<String, byte[]>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = c.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(tp -> c.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    private static void send(String bootstrap, String topic, List<Input> inputs) {
        try (ImageProducer producer = new ImageProducer(bootstrap, new Properties());
             KafkaProducer<String, byte[]> raw = ImageProducer.rawProducer(bootstrap)) {
            for (Input in : inputs) {
                if (in.image() != null) {
                    producer.send(topic, in.image());
                } else {
                    ImageProducer.sendRaw(raw, topic, in.id(), in.raw());
                }
            }
            producer.flush();
            raw.flush();
        }
    }
}
