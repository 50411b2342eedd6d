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

    private long heldNanos(DecodeFirst order, long ticket) {
        long before = now.get();
        order.awaitDecodeSubmitted(ticket);
        return now.get() - before;
    }

    @Test
    void anIdlePrepareThreadHoldsNothing() {
        DecodeFirst order = new DecodeFirst(HOLD, clock);
        assertThat(heldNanos(order, 0)).isLessThanOrEqualTo(2 * TICK);
    }

    @Test
    void theNextBatchsSubmittedDecodeEndsTheHold() {
        DecodeFirst order = new DecodeFirst(HOLD, clock);
        order.gathering();
        order.submitted(); // the batch after the one with ticket 0
        assertThat(heldNanos(order, 0)).isLessThanOrEqualTo(2 * TICK);
    }

    @Test
    void theBatchsOwnDecodeDoesNotEndItsHold() {
        DecodeFirst order = new DecodeFirst(HOLD, clock);
        order.submitted();
        long ticket = order.submittedCount(); // taken after its own decode was submitted
        order.gathering();
        assertThat(heldNanos(order, ticket)).isBetween(2 * HOLD, 2 * HOLD + 2 * TICK);
    }

    @Test
    void gatheringThatNeverEndsIsHeldForTwiceTheHoldAtMost() {
        DecodeFirst order = new DecodeFirst(HOLD, clock);
        order.gathering();
        assertThat(heldNanos(order, 0)).isBetween(2 * HOLD, 2 * HOLD + 2 * TICK);
    }

    @Test
    void waitingForCompanyOrDoneDecodingEndsTheHold() {
        DecodeFirst order = new DecodeFirst(HOLD, clock);
        order.gathering();
        order.idle();
        assertThat(heldNanos(order, 0)).isLessThanOrEqualTo(2 * TICK);
    }

    @Test
    void aBatchIsQueuedBehindTheRunningOneOnceTheDecodeAfterItIsSubmitted() {
        DecodeFirst order = new DecodeFirst(HOLD, clock);
        int[] looks = {0};
        boolean queue = order.awaitSuccessorSubmitted(0, () -> {
            if (++looks[0] == 3) {
                order.submitted(); // the prepare thread's decode call returns while the GPU is busy
            }
            return true;
        });
        assertThat(queue).isTrue();
        assertThat(looks[0]).isEqualTo(3);
    }

    @Test
    void aBatchIsNotQueuedWhenTheGpuGoesIdleFirstNorWithoutAHold() {
        DecodeFirst order = new DecodeFirst(HOLD, clock);
        order.gathering();
        int[] looks = {0};
        assertThat(order.awaitSuccessorSubmitted(0, () -> ++looks[0] < 3)).isFalse();
        assertThat(looks[0]).isEqualTo(3);
        DecodeFirst off = new DecodeFirst(0, clock);
        off.submitted();
        assertThat(off.awaitSuccessorSubmitted(0, () -> true)).as("no hold: never queued behind").isFalse();
    }

    @Test
    void noHoldWithoutGpuPreprocessingOrWhenZero() {
        assertThat(DecodeFirst.forBatcher(false, Duration.ofMillis(1)).holdNanos()).isZero();
        assertThat(DecodeFirst.forBatcher(true, Duration.ZERO).holdNanos()).isZero();
        DecodeFirst off = new DecodeFirst(0, clock);
        off.gathering();
        long before = now.get();
        off.awaitDecodeSubmitted(0); // at once: with a hold, a gathering prepare thread would keep it twice the hold
        assertThat(now.get() - before).isZero();
    }

    @Test
    void theHoldIsTheConfiguredOneWithGpuPreprocessing() {
        assertThat(DecodeFirst.forBatcher(true, Duration.ofMillis(1)).holdNanos()).isEqualTo(1_000_000);
        assertThat(DecodeFirst.forBatcher(true, Duration.ofNanos(1_500_000)).holdNanos()).isEqualTo(1_500_000);
    }
}
