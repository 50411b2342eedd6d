package io.streamdetect.jobs.kafka;

import io.streamdetect.records.kafka.AvroDeserializer;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.BooleanSupplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads Avro records from a topic with {@code isolation.level=read_committed}: only what the exactly-once job
 * committed is seen, never a record of an aborted transaction.
 */
public final class RecordConsumer<T extends SpecificRecord> implements AutoCloseable {
    private final KafkaConsumer<String, T> consumer;

    public RecordConsumer(String bootstrapServers, String topic, Class<T> type, Properties extra) {
        this(bootstrapServers, topic, type, extra, false);
    }

    /**
     * @param allPartitions read every partition from the beginning by explicit assignment, without a consumer
     *                      group (no rebalance, no committed offsets): for checks that must see everything
     */
    public RecordConsumer(String bootstrapServers, String topic, Class<T> type, Properties extra, boolean allPartitions) {
        Properties props = new Properties();
        props.putAll(extra);
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.putIfAbsent(ConsumerConfig.GROUP_ID_CONFIG, "streamdetect-consume-" + UUID.randomUUID());
        props.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.putIfAbsent(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new AvroDeserializer<>(type));
        if (allPartitions) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        } else {
            consumer.subscribe(List.of(topic));
        }
    }

    /**
     * Hands each record to {@code each} until {@code done} says so or {@code timeout} passes.
     *
     * @return true when {@code done} was reached
     */
    public boolean consume(Consumer<ConsumerRecord<String, T>> each, BooleanSupplier done, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            for (ConsumerRecord<String, T> r : consumer.poll(Duration.ofMillis(200))) {
                each.accept(r);
            }
        }
        return true;
    }

    public void wakeup() {
        consumer.wakeup();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
