package io.streamdetect.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Cutting a window out of {@link ThreadCpuSampler}'s readings, on readings made up here. */
class ThreadCpuSamplerTest {
    private static ThreadCpuSampler.Sample at(long millis, long taskNanos, long fetcherNanos) {
        return new ThreadCpuSampler.Sample(millis, new ThreadCpu(1, Map.of(1L, taskNanos, 2L, fetcherNanos),
                Map.of(1L, "task", 2L, "fetcher"), 0));
    }

    private final List<ThreadCpuSampler.Sample> samples = List.of(
            at(1_000, 0, 0), at(1_100, 90_000_000, 10_000_000), at(1_200, 180_000_000, 20_000_000),
            at(1_300, 270_000_000, 30_000_000), at(1_400, 280_000_000, 40_000_000));

    @Test
    void theSpanCoversTheWindowFromTheReadingsAroundIt() {
        ThreadCpuSampler.Span span = ThreadCpuSampler.busiest(samples, 1_150, 1_250, 5);
        assertThat(span.wallNanos()).isEqualTo(200_000_000L); // 1,100 to 1,300 ms
        assertThat(span.busiest()).containsExactly(new ThreadCpu.Busy("task", 180_000_000),
                new ThreadCpu.Busy("fetcher", 20_000_000));
    }

    @Test
    void aWindowBeyondTheReadingsTakesTheNearestAndTheBusiestAreCapped() {
        ThreadCpuSampler.Span span = ThreadCpuSampler.busiest(samples, 500, 2_000, 1);
        assertThat(span.wallNanos()).isEqualTo(400_000_000L);
        assertThat(span.busiest()).containsExactly(new ThreadCpu.Busy("task", 280_000_000));
    }

    @Test
    void aThreadThatEndedOrStartedInTheWindowIsLeftOut() {
        ThreadCpu before = new ThreadCpu(1, Map.of(1L, 5L, 3L, 7L), Map.of(1L, "task", 3L, "gone"), 0);
        ThreadCpu after = new ThreadCpu(1, Map.of(1L, 9L, 3L, -1L, 4L, 100L), Map.of(1L, "task", 3L, "gone", 4L, "new"), 0);
        assertThat(after.busiest(before, 10)).containsExactly(new ThreadCpu.Busy("task", 4));
    }
}
