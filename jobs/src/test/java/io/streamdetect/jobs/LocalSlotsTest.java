package io.streamdetect.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.jobs.demo.EmbeddedKafka;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The slots of a local run without {@code parallelism}, against a real broker's topics. */
class LocalSlotsTest {
    private static EmbeddedKafka kafka;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = EmbeddedKafka.start();
        kafka.createTopics(4, "four-partitions");
        kafka.createTopics(1, "one-partition");
    }

    @AfterAll
    static void stopBroker() throws Exception {
        kafka.close();
    }

    @Test
    void tensorRtGetsTwoSlotsWhereTheTopicHasPartitionsForThem() {
        Configuration config = local("tensorrt", "four-partitions");
        assertThat(LocalSlots.prepare(config, LocalSlots::inputTopicPartitions)).hasValueSatisfying(why ->
                assertThat(why).startsWith("2 task slots on the GPU").contains("-p to change"));
        assertThat(config.get(StreamingJobOptions.PARALLELISM)).isEqualTo(2);
    }

    @Test
    void aTopicWithOnePartitionGetsOneSlotAndSaysWhy() {
        Configuration config = local("tensorrt", "one-partition");
        assertThat(LocalSlots.prepare(config, LocalSlots::inputTopicPartitions)).hasValueSatisfying(why ->
                assertThat(why).startsWith("1 task slot ").contains("topic one-partition has 1 partition", "add partitions"));
        assertThat(config.get(StreamingJobOptions.PARALLELISM)).isEqualTo(1);
    }

    @Test
    void unreadablePartitionsLeaveTwoSlotsAndSaySo() {
        Configuration config = local("tensorrt", "not-created-yet");
        assertThat(LocalSlots.inputTopicPartitions(config)).isEmpty();
        assertThat(LocalSlots.prepare(config, LocalSlots::inputTopicPartitions)).hasValueSatisfying(why ->
                assertThat(why).contains("partitions could not be read"));
        assertThat(config.get(StreamingJobOptions.PARALLELISM)).isEqualTo(2);
    }

    @Test
    void anInputOfFilesGetsTwoSlotsOnTheGpuWithoutANoteOnPartitions() {
        Configuration config = local("tensorrt", "unused");
        assertThat(LocalSlots.prepare(config)).hasValueSatisfying(why ->
                assertThat(why).startsWith("2 task slots on the GPU").doesNotContain("partition"));
        assertThat(config.get(StreamingJobOptions.PARALLELISM)).isEqualTo(2);
    }

    @Test
    void onnxRuntimeGetsOneSlotWithoutAskingTheBrokers() {
        Configuration config = local("onnxruntime", "four-partitions");
        AtomicInteger asked = new AtomicInteger();
        assertThat(LocalSlots.prepare(config, c -> {
            asked.incrementAndGet();
            return OptionalInt.of(4);
        })).hasValue("1 task slot (onnxruntime uses every core for one slot; -p to change)");
        assertThat(config.get(StreamingJobOptions.PARALLELISM)).isEqualTo(1);
        assertThat(asked).hasValue(0);
    }

    @Test
    void aPrebuiltEngineFileRunsOnTensorRtWhateverTheBackendSays() {
        Configuration config = local("onnxruntime", "four-partitions");
        config.set(StreamingJobOptions.MODEL, "/plans/yolo11n-fp16.engine");
        assertThat(LocalSlots.prepare(config, LocalSlots::inputTopicPartitions)).hasValueSatisfying(why ->
                assertThat(why).startsWith("2 task slots on the GPU"));
    }

    @Test
    void aGivenParallelismIsKept() {
        Configuration config = local("tensorrt", "one-partition");
        config.set(StreamingJobOptions.PARALLELISM, 3);
        assertThat(LocalSlots.prepare(config, LocalSlots::inputTopicPartitions)).isEmpty();
        assertThat(config.get(StreamingJobOptions.PARALLELISM)).isEqualTo(3);
    }

    private static Configuration local(String backend, String topic) {
        Configuration c = new Configuration();
        c.set(StreamingJobOptions.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        c.set(StreamingJobOptions.INPUT_TOPIC, topic);
        c.set(StreamingJobOptions.BACKEND, backend);
        return c;
    }
}
