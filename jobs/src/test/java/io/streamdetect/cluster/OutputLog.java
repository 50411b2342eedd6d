package io.streamdetect.cluster;

import io.streamdetect.records.DeadLetter;
import io.streamdetect.records.DetectionRecord;
import io.streamdetect.records.kafka.AvroDeserializer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Every record the job committed to the detection and dead-letter topics, as a read_committed consumer sees it,
 * with the time it became visible. Reads both topics from their beginning on its own thread, without a consumer
 * group, through broker restarts (the consumer reconnects).
 */
final class OutputLog implements AutoCloseable {
    /**
     * One committed output. {@code recordId} is the input's record id; for an input that was not an ImageRecord
     * it is null and {@code sourcePartition}/{@code sourceOffset} say which input it was.
     */
    record Output(long seenAtMillis, String topic, String recordId, int sourcePartition, long sourceOffset,
                  String errorKind) {
        boolean deadLetter() {
            return errorKind != null;
        }
    }

    private final List<Output> outputs = new CopyOnWriteArrayList<>();
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final String detectionTopic;
    private volatile boolean running = true;
    private volatile Exception failure;

    OutputLog(String bootstrapServers, String detectionTopic, String deadLetterTopic) {
        this.detectionTopic = detectionTopic;
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(detectionTopic, deadLetterTopic)) {
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        AvroDeserializer<DetectionRecord> detections = new AvroDeserializer<>(DetectionRecord.class);
        AvroDeserializer<DeadLetter> deadLetters = new AvroDeserializer<>(DeadLetter.class);
        thread = new Thread(() -> {
            try {
                while (running) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                        long now = System.currentTimeMillis();
                        if (r.topic().equals(this.detectionTopic)) {
                            DetectionRecord d = detections.deserialize(r.topic(), r.value());
                            outputs.add(new Output(now, r.topic(), d.getRecordId(), -1, -1, null));
                        } else {
                            DeadLetter d = deadLetters.deserialize(r.topic(), r.value());
                            var src = d.getSource();
                            outputs.add(new Output(now, r.topic(), d.getRecordId(),
                                    src == null ? -1 : src.getPartition(), src == null ? -1 : src.getOffset(),
                                    d.getErrorKind().name()));
                        }
                    }
                }
            } catch (WakeupException e) {
                // closing
            } catch (Exception e) {
                failure = e;
            }
        }, "chaos-output-log");
        thread.setDaemon(true);
        thread.start();
    }

    List<Output> outputs() {
        if (failure != null) {
            throw new IllegalStateException("the output consumer failed", failure);
        }
        return List.copyOf(outputs);
    }

    int size() {
        return outputs.size();
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
        consumer.close();
    }
}
