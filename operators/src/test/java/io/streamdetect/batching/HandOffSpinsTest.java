package io.streamdetect.batching;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class HandOffSpinsTest {
    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(1);

    @Test
    void theInferenceThreadTakesTheBatchHandedOverWhileItPolled() throws Exception {
        HandOffSpins spins = new HandOffSpins(true, 0);
        spins.uploading(true);
        CompletableFuture<String> polled = CompletableFuture.supplyAsync(() -> spins.pollWhileUploading(queue, () -> false));
        TimeUnit.MILLISECONDS.sleep(5);
        queue.put("batch");
        spins.uploading(false);
        assertThat(polled.get(5, TimeUnit.SECONDS)).isEqualTo("batch");
    }

    @Test
    void withoutAnUploadTheInferenceThreadPollsOnceAndParks() {
        HandOffSpins spins = new HandOffSpins(true, 0);
        assertThat(spins.pollWhileUploading(queue, () -> false)).isNull();
        queue.add("batch");
        assertThat(spins.pollWhileUploading(queue, () -> false)).isEqualTo("batch");
    }

    @Test
    void anUploadSpinThatIsOffNeverTakesFromTheQueue() {
        HandOffSpins spins = new HandOffSpins(false, 0);
        spins.uploading(true);
        queue.add("batch");
        assertThat(spins.pollWhileUploading(queue, () -> false)).isNull();
        assertThat(queue).containsExactly("batch"); // left to the caller's blocking poll
    }

    @Test
    void closingEndsAnUploadSpin() throws Exception {
        HandOffSpins spins = new HandOffSpins(true, 0);
        spins.uploading(true); // never handed over: a stuck upload
        AtomicBoolean closing = new AtomicBoolean();
        CompletableFuture<String> polled = CompletableFuture.supplyAsync(() -> spins.pollWhileUploading(queue, closing::get));
        closing.set(true);
        assertThat(polled.get(5, TimeUnit.SECONDS)).isNull();
    }

    /** A stuck upload is polled for once (20 ms at most); later calls for the same upload only look and park. */
    @Test
    void aStuckUploadIsPolledForOnceThenTheThreadParks() {
        HandOffSpins spins = new HandOffSpins(true, 0);
        spins.uploading(true); // never handed over
        java.util.concurrent.atomic.AtomicInteger looks = new java.util.concurrent.atomic.AtomicInteger();
        assertThat(spins.pollWhileUploading(queue, () -> looks.incrementAndGet() < 0)).isNull();
        int spun = looks.get();
        assertThat(spun).as("the first call spins").isPositive();
        assertThat(spins.pollWhileUploading(queue, () -> looks.incrementAndGet() < 0)).isNull();
        assertThat(looks).as("the second call for the same upload does not").hasValue(spun);
        spins.uploading(false);
        spins.uploading(true); // the next upload is polled for again
        queue.add("batch");
        assertThat(spins.pollWhileUploading(queue, () -> false)).isEqualTo("batch");
    }

    @Test
    void thePrepareThreadPollsForTheNextImageOnlyWithAnIdleSpin() throws Exception {
        queue.add("image");
        assertThat(new HandOffSpins(false, 0).pollForImage(queue, () -> false)).isNull();
        assertThat(queue).containsExactly("image");

        queue.clear();
        HandOffSpins spinning = new HandOffSpins(false, TimeUnit.SECONDS.toNanos(30));
        spinning.uploading(false); // a batch was just handed over: the spin counts from here
        CompletableFuture<String> polled = CompletableFuture.supplyAsync(() -> spinning.pollForImage(queue, () -> false));
        TimeUnit.MILLISECONDS.sleep(5);
        queue.put("image");
        assertThat(polled.get(5, TimeUnit.SECONDS)).isEqualTo("image");
    }

    @Test
    void anIdleSpinEndsOnceItsTimeSinceTheLastBatchHasPassed() {
        HandOffSpins spins = new HandOffSpins(false, TimeUnit.MILLISECONDS.toNanos(1));
        spins.uploading(false);
        long start = System.nanoTime();
        assertThat(spins.pollForImage(queue, () -> false)).isNull();
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5)); // ends; not a speed claim
    }
}
