package io.streamdetect.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.junit.jupiter.api.Test;

/** {@link InputTopic#sendAcknowledged}'s resending, on sends whose outcome the test decides (the broker's refusal). */
class InputTopicTest {
    private static final RecordMetadata ACK = new RecordMetadata(new TopicPartition("in", 0), 0, 0, 0, 0, 0);

    private static Future<RecordMetadata> refused() {
        return CompletableFuture.failedFuture(new OutOfOrderSequenceException("the broker refused the batch"));
    }

    @Test
    void aRefusedRecordIsSentAgainUntilTheBrokerTakesIt() {
        List<String> sent = new ArrayList<>();
        AtomicInteger flushes = new AtomicInteger();

        // img-0 refused at its first send and its first resend, taken at its second resend
        InputTopic.sendAcknowledged(List.of("img-0", "img-1"), id -> {
            sent.add(id);
            boolean refuse = id.equals("img-0") && sent.stream().filter(id::equals).count() < 3;
            return refuse ? refused() : CompletableFuture.completedFuture(ACK);
        }, flushes::incrementAndGet);

        assertThat(sent).containsExactly("img-0", "img-1", "img-0", "img-0");
        assertThat(flushes).hasValue(3);
    }

    @Test
    void aRecordRefusedThreeTimesFailsTheSetupNamingItAndWhy() {
        List<String> sent = new ArrayList<>();

        assertThatThrownBy(() -> InputTopic.sendAcknowledged(List.of("img-7"), id -> {
            sent.add(id);
            return refused();
        }, () -> { })).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("1 input record(s) refused by the broker after 3 attempts")
                .hasMessageContaining("img-7")
                .hasMessageContaining("the broker refused the batch");
        assertThat(sent).containsExactly("img-7", "img-7", "img-7");
    }
}
