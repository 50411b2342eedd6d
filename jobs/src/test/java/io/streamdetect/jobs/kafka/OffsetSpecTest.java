package io.streamdetect.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OffsetSpecTest {

    @Test
    void timestampsAreIsoInstantsOrEpochMillis() {
        assertThat(OffsetSpec.timestamp("2026-11-01T00:00:00Z", "k")).isEqualTo(1_793_491_200_000L);
        assertThat(OffsetSpec.timestamp("1793491200000", "k")).isEqualTo(1_793_491_200_000L);
        assertThatThrownBy(() -> OffsetSpec.timestamp("yesterday", "stopping-offsets"))
                .hasMessageContaining("stopping-offsets").hasMessageContaining("ISO-8601");
    }

    @Test
    void partitionOffsetsNameTheirPartitionsOfTheTopic() {
        assertThat(OffsetSpec.partitionOffsets("0:1200, 2:7", "images", "k"))
                .isEqualTo(Map.of(new TopicPartition("images", 0), 1200L, new TopicPartition("images", 2), 7L));
        assertThatThrownBy(() -> OffsetSpec.partitionOffsets("0:1,0:2", "images", "k")).hasMessageContaining("twice");
        assertThatThrownBy(() -> OffsetSpec.partitionOffsets("0:-1", "images", "k")).hasMessageContaining("'0:-1'");
        assertThatThrownBy(() -> OffsetSpec.partitionOffsets("0:1:2", "images", "k")).hasMessageContaining("PARTITION:OFFSET");
    }

    @Test
    void everyFormParsesAndNonsenseSaysWhatIsAccepted() {
        for (String ok : new String[] {"earliest", "LATEST", "committed", "timestamp:2026-11-01T00:00:00Z", "0:5"}) {
            assertThat(OffsetSpec.starting(ok, "images")).as(ok).isNotNull();
        }
        assertThat(OffsetSpec.stopping("timestamp:1793491200000", "images")).isNotNull();
        assertThatThrownBy(() -> OffsetSpec.stopping("committed", "images")).hasMessageContaining("cannot be 'committed'");
        assertThatThrownBy(() -> OffsetSpec.starting("beginning", "images"))
                .hasMessageContaining("'beginning'").hasMessageContaining("earliest, latest, committed");
    }
}
