package io.streamdetect.batching;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
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
    void noHoldWithoutGpuPreprocessingOrWhenZero() {
        assertThat(DecodeFirst.forBatcher(false, Duration.ofMillis(1)).holdNanos()).isZero();
        assertThat(DecodeFirst.forBatcher(true, Duration.ZERO).holdNanos()).isZero();
        DecodeFirst off = new DecodeFirst(0, clock);
        off.gathering();
        long before = now.get();
        off.awaitDecodeSubmitted(); // at once: with a hold, a gathering prepare thread would keep it twice the hold
        assertThat(now.get() - before).isZero();
    }

    @Test
    void theHoldIsTheConfiguredOneWithGpuPreprocessing() {
        assertThat(DecodeFirst.forBatcher(true, Duration.ofMillis(1)).holdNanos()).isEqualTo(1_000_000);
        assertThat(DecodeFirst.forBatcher(true, Duration.ofNanos(1_500_000)).holdNanos()).isEqualTo(1_500_000);
    }
}
