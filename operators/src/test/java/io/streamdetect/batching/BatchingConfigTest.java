package io.streamdetect.batching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BatchingConfigTest {

    @Test
    void theGpuDecodeHoldDefaultsToOneMillisecondAndSurvivesAnotherWait() {
        BatchingConfig config = new BatchingConfig(64, Duration.ofMillis(5));
        assertThat(config.gpuDecodeHold()).isEqualTo(Duration.ofMillis(1));
        BatchingConfig off = new BatchingConfig(64, Duration.ofMillis(5), 0, BatchWait.ADAPTIVE, Duration.ZERO);
        assertThat(off.withWait(BatchWait.FIXED).gpuDecodeHold()).isZero();
        assertThat(off.withWait(BatchWait.FIXED).batchWait()).isEqualTo(BatchWait.FIXED);
    }

    @Test
    void aGpuDecodeHoldOutsideZeroToTenMillisecondsIsRefused() {
        assertThat(new BatchingConfig(8, Duration.ZERO, 0, BatchWait.ADAPTIVE, Duration.ofMillis(10)).gpuDecodeHold())
                .isEqualTo(Duration.ofMillis(10));
        for (Duration bad : new Duration[] {Duration.ofNanos(-1), Duration.ofMillis(10).plusNanos(1)}) {
            assertThatThrownBy(() -> new BatchingConfig(8, Duration.ZERO, 0, BatchWait.ADAPTIVE, bad)).as("" + bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("gpuDecodeHold must be from 0 (no hold) to 10 ms");
        }
    }

    @Test
    void aConfigurationSerializedBeforeTheHoldOrTheSpinExistedGetsTheirDefaults() {
        // what Java's record deserialization passes for a component the stream does not have
        assertThat(new BatchingConfig(8, Duration.ZERO, 0, BatchWait.ADAPTIVE, null).gpuDecodeHold())
                .isEqualTo(BatchingConfig.DEFAULT_GPU_DECODE_HOLD);
        assertThat(new BatchingConfig(8, Duration.ZERO, 0, BatchWait.ADAPTIVE, Duration.ZERO, null).idleSpin()).isZero();
    }

    @Test
    void theIdleSpinIsOffByDefaultSurvivesAnotherWaitAndStaysWithinASecond() {
        assertThat(BatchingConfig.DEFAULT.idleSpin()).isZero();
        BatchingConfig spinning = BatchingConfig.DEFAULT.withIdleSpin(Duration.ofMillis(100));
        assertThat(spinning.withWait(BatchWait.FIXED).idleSpin()).isEqualTo(Duration.ofMillis(100));
        for (Duration bad : new Duration[] {Duration.ofNanos(-1), Duration.ofSeconds(1).plusNanos(1)}) {
            assertThatThrownBy(() -> BatchingConfig.DEFAULT.withIdleSpin(bad)).as("" + bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("idleSpin must be from 0 (park at once) to 1000 ms");
        }
    }
}
