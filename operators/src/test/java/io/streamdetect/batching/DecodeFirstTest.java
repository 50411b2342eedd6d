package io.streamdetect.batching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/** {@link DecodeFirst}'s hold, on a clock that moves 10 us each time it is read. */
class DecodeFirstTest {
    private static final long HOLD = 1_000_000; // 1 ms
    private static final long TICK = 10_000;

    private final AtomicLong now = new AtomicLong();
    private final LongSupplier clock = () -> now.addAndGet(TICK);

    private long heldNanos(DecodeFirst order) {
        long before = now.get();
        order.awaitDecodeSubmitted();
        return now.get() - before;
    }

    @Test
    void anIdlePrepareThreadHoldsNothing() {
        DecodeFirst order = new DecodeFirst(HOLD, clock);
        assertThat(heldNanos(order)).isLessThanOrEqualTo(2 * TICK);
    }

    @Test
    void aDecodeJustCalledIsGivenTheRestOfTheHold() {
        DecodeFirst order = new DecodeFirst(HOLD, clock);
        order.gathering();
        order.decoding(); // at 10 us
        assertThat(heldNanos(order)).isBetween(HOLD - 2 * TICK, HOLD + 2 * TICK);
    }

    @Test
    void theDecodeOfABatchThatWasNotGatheredAsFullIsNotHeldFor() {
        DecodeFirst order = new DecodeFirst(HOLD, clock);
        order.decoding();
        assertThat(order.preparing()).isFalse();
        assertThat(heldNanos(order)).isLessThanOrEqualTo(2 * TICK);
    }

    @Test
    void aDecodeCalledLongerAgoThanTheHoldIsNotWaitedFor() {
        DecodeFirst order = new DecodeFirst(HOLD, clock);
        order.gathering();
        order.decoding();
        now.addAndGet(HOLD);
        assertThat(heldNanos(order)).isLessThanOrEqualTo(2 * TICK);
    }

    @Test
    void gatheringThatNeverEndsIsHeldForTwiceTheHoldAtMost() {
        DecodeFirst order = new DecodeFirst(HOLD, clock);
        order.gathering();
        assertThat(heldNanos(order)).isBetween(2 * HOLD, 2 * HOLD + 2 * TICK);
    }

    @Test
    void waitingForCompanyOrDoneDecodingEndsTheHold() {
        DecodeFirst order = new DecodeFirst(HOLD, clock);
        order.gathering();
        order.idle();
        assertThat(heldNanos(order)).isLessThanOrEqualTo(2 * TICK);
    }

    @Test
    void offByDefaultAndWithoutGpuPreprocessing() {
        assertThat(DecodeFirst.holdMicros(null)).isZero();
        assertThat(DecodeFirst.forBatcher(false).holdNanos()).isZero();
        DecodeFirst off = new DecodeFirst(0, clock);
        off.gathering();
        long before = now.get();
        off.awaitDecodeSubmitted(); // at once: with a hold, a gathering prepare thread would keep it twice the hold
        assertThat(now.get() - before).isZero();
    }

    @Test
    void theHoldComesFromItsPropertyOnlyWithGpuPreprocessing() {
        System.setProperty(DecodeFirst.HOLD_PROPERTY, "1500");
        try {
            assertThat(DecodeFirst.forBatcher(true).holdNanos()).isEqualTo(1_500_000);
            assertThat(DecodeFirst.forBatcher(false).holdNanos()).isZero();
        } finally {
            System.clearProperty(DecodeFirst.HOLD_PROPERTY);
        }
    }

    @Test
    void aHoldThatIsNotWholeMicrosecondsInRangeIsRefusedWithWhatToGive() {
        assertThat(DecodeFirst.holdMicros(" 1000 ")).isEqualTo(1000);
        for (String bad : new String[] {"1ms", "-1", "10001", "99999999999999999999"}) {
            assertThatThrownBy(() -> DecodeFirst.holdMicros(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("-D" + DecodeFirst.HOLD_PROPERTY + "=" + bad)
                    .hasMessageContaining("whole microseconds from 0");
        }
    }
}
