package io.streamdetect.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;
import org.junit.jupiter.api.Test;

class GpuAssignmentTest {

    /** What Flink's GPU driver hands a slot: one info per discovered GPU, with its "index". */
    record Gpu(Map<String, String> properties) implements ExternalResourceInfo {
        static Gpu index(String i) {
            return new Gpu(Map.of("index", i));
        }

        @Override
        public Optional<String> getProperty(String key) {
            return Optional.ofNullable(properties.get(key));
        }

        @Override
        public Collection<String> getKeys() {
            return properties.keySet();
        }
    }

    @Test
    void noGpuResourceLeavesTheDefaultDevice() {
        assertThat(GpuAssignment.choose(Set.of(), 3)).isEmpty();
    }

    @Test
    void oneGpuServesEverySlot() {
        for (int subtask = 0; subtask < 4; subtask++) {
            assertThat(GpuAssignment.choose(Set.of(Gpu.index("0")), subtask)).isEqualTo(OptionalInt.of(0));
        }
    }

    @Test
    void slotsSpreadOverSeveralGpusBySubtaskIndex() {
        // the driver's set has no order; the assignment must not depend on it
        List<ExternalResourceInfo> gpus = List.of(Gpu.index("3"), Gpu.index("1"), Gpu.index("2"));
        assertThat(List.of(0, 1, 2, 3, 4).stream().map(s -> GpuAssignment.choose(gpus, s).getAsInt()))
                .containsExactly(1, 2, 3, 1, 2);
    }

    @Test
    void aNonNumericIndexSaysWhereToLook() {
        assertThatThrownBy(() -> GpuAssignment.choose(List.of(Gpu.index("GPU-5d3c")), 0))
                .hasMessageContaining("GPU-5d3c").hasMessageContaining("discovery-script");
    }
}
