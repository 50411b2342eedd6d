package io.streamdetect.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.junit.jupiter.api.Test;

/** {@link InputTopic#acknowledged}'s resending, on sends whose outcome the test decides (the broker's refusal). */
class InputTopicTest {
    private static final RecordMetadata ACK = new RecordMetadata(new TopicPartition("in", 0), 0, 0, 0, 0, 0);

    private static Future<RecordMetadata> refused() {
        return CompletableFuture.failedFuture(new OutOfOrderSequenceException("the broker refused the batch"));
    }

    @Test
    void aRefusedRecordIsSentAgainUntilTheBrokerTakesIt() {
        Map<String, Future<RecordMetadata>> sends = new LinkedHashMap<>();
        sends.put("img-0", refused());
        sends.put("img-1", CompletableFuture.completedFuture(ACK));
        List<String> resent = new ArrayList<>();

        InputTopic.acknowledged(sends, id -> {
            resent.add(id);
            return resent.size() == 1 ? refused() : CompletableFuture.completedFuture(ACK);
        });

        assertThat(resent).containsExactly("img-0", "img-0");
    }

    @Test
    void aRecordRefusedThreeTimesFailsTheSetupNamingItAndWhy() {
        List<String> resent = new ArrayList<>();

        assertThatThrownBy(() -> InputTopic.acknowledged(Map.of("img-7", refused()), id -> {
            resent.add(id);
            return refused();
        })).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("1 input record(s) refused by the broker after 3 attempts")
                .hasMessageContaining("img-7")
                .hasMessageContaining("the broker refused the batch");
        assertThat(resent).containsExactly("img-7", "img-7");
    }
}
