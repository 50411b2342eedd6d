package io.streamdetect.jobs.kafka;

import io.streamdetect.records.ImageRecord;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
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

    /**
     * Sends each of {@code ids} by {@code send}, flushes, waits for the broker to acknowledge each, and sends again,
     * by {@code send}, each one the broker refused, flushing and waiting for those too, up to 3 attempts in all. For
     * tests whose input order or pace is part of the test (a record at a time while a model swap is awaited, offset
     * ranges written group after group), which {@link #write} would not keep. Order is kept between the groups a test
     * sends one after the other, not within one: a record sent again lands after those of its group that were taken.
     * {@code send} may use the same producer throughout: since Kafka 3 an idempotent producer recovers from a refused
     * batch ({@code OutOfOrderSequenceException}) by itself.
     *
     * @param flush flushes every producer {@code send} uses, so that each send is done when it returns
     * @throws IllegalStateException when a record is still refused after that, naming it and the broker's reason, or
     *                               when a send is not done within 30 s (it may still land: sending it again could
     *                               write it twice)
     */
    public static void sendAcknowledged(Collection<String> ids, Function<String, Future<RecordMetadata>> send,
                                        Runnable flush) {
        Collection<String> toSend = ids;
        for (int attempt = 1; ; attempt++) {
            Map<String, Future<RecordMetadata>> sends = new LinkedHashMap<>();
            toSend.forEach(id -> sends.put(id, send.apply(id)));
            flush.run();
            Map<String, Throwable> refused = new LinkedHashMap<>();
            sends.forEach((id, sent) -> refusal(sent).ifPresent(why -> refused.put(id, why)));
            if (refused.isEmpty()) {
                return;
            }
            if (attempt == ATTEMPTS) {
                throw new IllegalStateException(refused.size() + " input record(s) refused by the broker after "
                        + ATTEMPTS + " attempts: " + refused);
            }
            System.out.println("input records refused by the broker (attempt " + attempt + "), sent again: " + refused);
            toSend = refused.keySet();
        }
    }

    /** Why the broker refused {@code send}, once it is done; empty when it was acknowledged. */
    private static Optional<Throwable> refusal(Future<RecordMetadata> send) {
        try {
            send.get(30, TimeUnit.SECONDS);
            return Optional.empty();
        } catch (ExecutionException e) {
            return Optional.of(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("an input record was not acknowledged within 30 s, flushed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the broker", e);
        }
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
