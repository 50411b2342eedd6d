package io.streamdetect.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The failover benchmark's memory bookkeeping, on readings shaped like an nvidia-smi trace of 3 failovers. */
class FailoverMemoryTest {
    private static final long MB = 1_000_000;

    @Test
    void peakPerAttemptAndTroughBetweenAttemptsWhereverTheReadingsFall() {
        FailoverMemory memory = new FailoverMemory();
        // attempt 1: the engine opens, runs at its peak
        record(memory, 1, 600, 2400, 3282, 3280);
        // each restart: the failed attempt's memory released (the trough), the next one's taken again
        record(memory, 2, 3100, 611, 2500, 3286);
        record(memory, 3, 612, 3284);
        // the last attempt: a reading mid-way through its work lands lower than the peak, as the old single sample did
        record(memory, 4, 900, 611, 2443, 3283, 2812);
        memory.record(4, -1); // no reading

        assertThat(memory.peak(1)).isEqualTo(3282 * MB);
        assertThat(memory.peak(4)).isEqualTo(3283 * MB);
        assertThat(memory.troughBefore(2)).isEqualTo(611 * MB);
        assertThat(memory.troughBefore(4)).isEqualTo(611 * MB);
        assertThat(memory.troughBefore(1)).as("no restart before attempt 1").isEqualTo(-1);
        assertThat(memory.peak(5)).as("never ran").isEqualTo(-1);
        assertThat(memory.cells(true, 3))
                .isEqualTo("3.282 GB | 3.283 GB | +0.001 GB | 0.611 GB | 0.611 GB | +0.000 GB");
        assertThat(memory.cells(false, 3))
                .isEqualTo("n/a (no CUDA) | n/a (no CUDA) | n/a | n/a (no CUDA) | n/a (no CUDA) | n/a");
        assertThat(new FailoverMemory().cells(true, 2))
                .isEqualTo("not reached | not reached | n/a | not reached | not reached | n/a");
    }

    @Test
    void aLeakShowsInPeaksAndTroughsAlike() {
        FailoverMemory memory = new FailoverMemory();
        record(memory, 1, 3000);
        record(memory, 2, 700, 3100);
        record(memory, 3, 800, 3200);
        assertThat(memory.cells(true, 2)).isEqualTo("3.000 GB | 3.200 GB | +0.200 GB | 0.700 GB | 0.800 GB | +0.100 GB");
    }

    private static void record(FailoverMemory memory, int attempt, long... megabytes) {
        for (long m : megabytes) {
            memory.record(attempt, m * MB);
        }
    }
}
