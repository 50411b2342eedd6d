package io.streamdetect.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunTimelineTest {

    /** Batches of 10 results every 10 ms from epoch ms 1,000 on (1,000 results/s), with a 100 ms pause after 50. */
    private static List<Long> resultsWithAPause() {
        List<Long> millis = new ArrayList<>();
        long t = 1_000;
        for (int batch = 0; batch < 100; batch++) {
            for (int i = 0; i < 10; i++) {
                millis.add(t);
            }
            t += batch == 49 ? 110 : 10;
        }
        return millis;
    }

    @Test
    void theMiddleRateLeavesOutASlowStartThatTheWholeSpanCounts() {
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            millis.add(1_000L + 10L * i); // a slow start: 100 results/s for 1 s
        }
        for (int i = 0; i < 900; i++) {
            millis.add(2_000L + i); // then 1,000 results/s
        }
        RunTimeline timeline = new RunTimeline(millis, List.of());

        assertThat(timeline.results()).isEqualTo(1_000);
        assertThat(timeline.rate(0, 1)).isCloseTo(999 / 1.899, within(0.5));
        assertThat(timeline.rate(0.1, 0.9)).isCloseTo(1_000, within(2.0));
        assertThat(timeline.rate(0, 0.1)).isCloseTo(100, within(1.0));
    }

    @Test
    void ratesPerIntervalShowAPause() {
        RunTimeline timeline = new RunTimeline(resultsWithAPause(), List.of());

        double[] rates = timeline.ratePerInterval(100);

        // 0-500 ms: 500 results; the pause fills the interval from 500 ms; the last one, from 1,000 ms, ends at the
        // last result (1,090 ms): its 100 results over its own 91 ms
        assertThat(rates).hasSize(11);
        assertThat(rates[0]).isEqualTo(1_000);
        assertThat(rates[4]).isEqualTo(1_000);
        assertThat(rates[5]).isEqualTo(0);
        assertThat(rates[6]).isEqualTo(1_000);
        assertThat(rates[10]).isCloseTo(100 * 1000.0 / 91, within(0.01));
        assertThat(timeline.ratesCell(100)).startsWith("1000 1000 1000 1000 1000 0 1000");
    }

    @Test
    void checkpointsAreShownRelativeToTheFirstResult() {
        RunTimeline timeline = new RunTimeline(resultsWithAPause(), List.of(
                new RunTimeline.Checkpoint(1, 800, 120, 3, 2_500_000),
                new RunTimeline.Checkpoint(2, 1_490, 340, 95, 25_802_401)));

        assertThat(timeline.checkpointsCell())
                .isEqualTo("1 at -0.20 s: 120 ms, sync 3 ms, 2.5 MB; 2 at +0.49 s: 340 ms, sync 95 ms, 25.8 MB");
        assertThat(new RunTimeline(List.of(5L), List.of()).checkpointsCell()).isEqualTo("none");
    }

    @Test
    void aRunEndingMidIntervalIsNotShownSlowingDown() {
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            millis.add(1_000L + i); // 1,000 results/s for 300 ms: the second 250 ms interval holds only 50 ms of it
        }

        assertThat(new RunTimeline(millis, List.of()).ratePerInterval(250)).containsExactly(1_000.0, 1_000.0);
    }

    @Test
    void checkpointsOfARunWithoutResultsHaveNoTime() {
        assertThat(new RunTimeline(List.of(), List.of(new RunTimeline.Checkpoint(1, 800, 120, 3, 2_500_000)))
                .checkpointsCell()).isEqualTo("1 at n/a: 120 ms, sync 3 ms, 2.5 MB");
    }

    @Test
    void tooFewResultsHaveNoRate() {
        assertThat(new RunTimeline(List.of(), List.of()).rate(0.1, 0.9)).isZero();
        assertThat(new RunTimeline(List.of(7L, 7L, 7L), List.of()).rate(0, 1)).isZero();
        assertThat(new RunTimeline(List.of(), List.of()).ratePerInterval(250)).isEmpty();
    }
}
