package io.streamdetect.batching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdetect.engine.EngineException;
import io.streamdetect.engine.EngineSpec;
import io.streamdetect.engine.Engines;
import io.streamdetect.engine.InferenceEngine;
import io.streamdetect.predict.Prediction;
import io.streamdetect.predict.Predictor;
import io.streamdetect.predict.PredictorConfig;
import io.streamdetect.records.ErrorKind;
import io.streamdetect.testing.ReferenceDetections;
import io.streamdetect.testing.ScriptedEngine;
import io.streamdetect.testing.SharedFiles;
import io.streamdetect.testing.TestImages;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import io.streamdetect.testing.OnnxRuntimeEngineExtension;

class MicroBatcherTest {
    @RegisterExtension
    static final OnnxRuntimeEngineExtension ORT = new OnnxRuntimeEngineExtension(4);

    /** Records every callback; counts down once per item outcome. */
    static class Recorder implements BatchListener<String> {
        final Map<String, Prediction> completed = new ConcurrentHashMap<>();
        final Map<String, Throwable> failed = new ConcurrentHashMap<>();
        final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
        final CountDownLatch outcomes;

        Recorder(int expected) {
            outcomes = new CountDownLatch(expected);
        }

        @Override
        public void completed(String item, Prediction prediction, long queueWaitNanos) {
            assertThat(queueWaitNanos).isNotNegative();
            completed.put(item, prediction);
            outcomes.countDown();
        }

        @Override
        public void failed(String item, Throwable error) {
            failed.put(item, error);
            outcomes.countDown();
        }

        @Override
        public void batchRan(int size, long inferenceNanos) {
            batchSizes.add(size);
        }

        void await() throws InterruptedException {
            assertThat(outcomes.await(60, TimeUnit.SECONDS)).as("all outcomes delivered").isTrue();
        }
    }

    @Test
    void fullBatchesRunAtMaxSizeAndEveryImageGetsItsOwnResult() throws Exception {
        byte[] bus = TestImages.bus();
        Recorder recorder = new Recorder(10);
        try (Predictor predictor = new Predictor(ORT.engine(), PredictorConfig.DEFAULT);
             // a long fixed delay: only the size limit can close these batches early
             MicroBatcher<String> batcher = new MicroBatcher<>(predictor, fixed(4, Duration.ofSeconds(2)),
                     recorder, "test")) {
            for (int i = 0; i < 10; i++) {
                batcher.submit(bus, "img-" + i);
            }
            recorder.await();
        }
        assertThat(recorder.completed).hasSize(10);
        recorder.completed.values().forEach(p -> ReferenceDetections.assertMatches(p.objects(), ReferenceDetections.BUS));
        assertThat(recorder.batchSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(10);
        assertThat(recorder.batchSizes).allSatisfy(size -> assertThat(size).isBetween(1, 4)).contains(4);
    }

    @Test
    void aPartialBatchRunsWhenTheOldestImageHasWaitedMaxDelay() throws Exception {
        Recorder recorder = new Recorder(2);
        try (Predictor predictor = new Predictor(ORT.engine(), PredictorConfig.DEFAULT);
             MicroBatcher<String> batcher = new MicroBatcher<>(predictor, fixed(4, Duration.ofMillis(50)),
                     recorder, "test")) {
            batcher.submit(TestImages.bus(), "a");
            batcher.submit(TestImages.bus(), "b");
            recorder.await();
        }
        assertThat(recorder.batchSizes).containsExactly(2);
        assertThat(recorder.completed.get("a").batchSize()).isEqualTo(2);
    }

    /** Issue 18: adaptive (the default) runs a lone image as soon as it is decoded when the engine is idle. */
    @Test
    void anIdleEngineRunsALoneImageAtOnceInsteadOfWaitingMaxDelay() throws Exception {
        Recorder recorder = new Recorder(1);
        // a delay far beyond the test's wait: only the idle engine can close this batch
        try (Predictor predictor = new Predictor(ORT.engine(), PredictorConfig.DEFAULT);
             MicroBatcher<String> batcher = new MicroBatcher<>(predictor, new BatchingConfig(4, NEVER),
                     recorder, "test")) {
            batcher.submit(TestImages.bus(), "lone");
            recorder.await();
        }
        assertThat(recorder.batchSizes).containsExactly(1);
        ReferenceDetections.assertMatches(recorder.completed.get("lone").objects(), ReferenceDetections.BUS);
    }

    /**
     * Issue 18: with an idle spin the prepare thread polls for images between batches instead of parking; images that
     * come while it spins, and after it has parked again, all run, and close() stops a spinning thread at once.
     */
    @Test
    void aBatcherWithAnIdleSpinRunsImagesThatComeWhileItSpinsAndAfterAndClosesWhileSpinning() throws Exception {
        Recorder recorder = new Recorder(3);
        long closed;
        try (Predictor predictor = new Predictor(ORT.engine(), PredictorConfig.DEFAULT);
             MicroBatcher<String> batcher = new MicroBatcher<>(predictor,
                     new BatchingConfig(4, Duration.ofMillis(5)).withIdleSpin(Duration.ofMillis(300)), recorder, "spin")) {
            batcher.submit(TestImages.bus(), "first");
            TimeUnit.MILLISECONDS.sleep(50); // well within the spin after its batch
            batcher.submit(TestImages.bus(), "while-spinning");
            TimeUnit.MILLISECONDS.sleep(1000); // the spin is over: parked in the queue again
            batcher.submit(TestImages.bus(), "after-parking");
            recorder.await();
            batcher.submit(TestImages.bus(), "dropped-on-close"); // the thread spins for it or runs it; close stops it
            closed = System.nanoTime();
        }
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - closed)).as("close does not hang").isLessThan(10);
        assertThat(recorder.completed).containsKeys("first", "while-spinning", "after-parking");
        recorder.completed.values().forEach(p -> ReferenceDetections.assertMatches(p.objects(), ReferenceDetections.BUS));
    }

    /**
     * A slot's summary: the idle stretches before its first image and after its last batch are left out of the busy
     * window (in a 3 s job run on the H200 they were about all of the prepare thread's "wait for image").
     */
    @Test
    void theBusyWindowRunsFromTheFirstImageToTheEndOfTheLastBatch() throws Exception {
        long idleNanos = TimeUnit.MILLISECONDS.toNanos(400);
        Recorder recorder = new Recorder(2);
        try (Predictor predictor = new Predictor(ORT.engine(), PredictorConfig.DEFAULT);
             MicroBatcher<String> batcher = new MicroBatcher<>(predictor, new BatchingConfig(4, NEVER),
                     recorder, "test")) {
            assertThat(batcher.busyStageTimes()).isEmpty();
            TimeUnit.NANOSECONDS.sleep(idleNanos); // open, no image yet
            batcher.submit(TestImages.bus(), "a");
            batcher.submit(TestImages.bus(), "b");
            recorder.await();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (batcher.busyStageTimes().map(BatchStageTimes::images).orElse(0L) < 2 && System.nanoTime() < deadline) {
                Thread.sleep(5); // the window closes just after the last outcome is delivered
            }
            TimeUnit.NANOSECONDS.sleep(idleNanos); // no image left
            BatchStageTimes whole = batcher.stageTimes();
            BatchStageTimes busy = batcher.busyStageTimes().orElseThrow();

            assertThat(busy.images()).isEqualTo(2);
            assertThat(busy.batches()).isEqualTo(whole.batches());
            assertThat(whole.wallNanos() - busy.wallNanos()).isGreaterThanOrEqualTo(2 * idleNanos);
            assertThat(whole.nanos(BatchStage.WAIT_FOR_IMAGE) - busy.nanos(BatchStage.WAIT_FOR_IMAGE))
                    .isGreaterThanOrEqualTo(2 * idleNanos - TimeUnit.MILLISECONDS.toNanos(50));
            assertThat(busy.nanos(BatchStage.ENGINE)).isPositive().isEqualTo(whole.nanos(BatchStage.ENGINE));
        }
    }

    /** The old rule, still selectable: a lone image waits max-delay for company, also with the engine idle. */
    @Test
    void fixedWaitKeepsALoneImageWaitingForMaxDelay() throws Exception {
        Recorder recorder = new Recorder(1);
        try (Predictor predictor = new Predictor(ORT.engine(), PredictorConfig.DEFAULT);
             MicroBatcher<String> batcher = new MicroBatcher<>(predictor, fixed(4, NEVER), recorder, "test")) {
            MicroBatcher.Ticket lone = batcher.submit(TestImages.bus(), "lone");
            awaitProgress(lone, MicroBatcher.Progress.BATCHED);
            // decoded and batched, the engine idle: only the ten minutes could close the batch now
            assertThat(recorder.outcomes.await(300, TimeUnit.MILLISECONDS)).isFalse();
            assertThat(lone.progress()).isEqualTo(MicroBatcher.Progress.BATCHED);
        }
        assertThat(recorder.batchSizes).isEmpty();
    }

    /**
     * Adaptive: while a batch runs, new images gather into the next batch (they could not run before it anyway), and
     * that batch closes as soon as the engine is free, not max-delay later.
     */
    @Test
    void whileABatchRunsImagesGatherIntoTheNextAndRunWhenTheEngineIsFree() throws Exception {
        CountDownLatch unblock = new CountDownLatch(1);
        Recorder recorder = new Recorder(4);
        try (Predictor predictor = new Predictor(blockingFirstBatch(unblock), PredictorConfig.DEFAULT);
             MicroBatcher<String> batcher = new MicroBatcher<>(predictor, new BatchingConfig(4, NEVER),
                     recorder, "test")) {
            batcher.submit(TestImages.bus(), "first");
            awaitRunning(batcher);
            List<MicroBatcher.Ticket> next = new java.util.ArrayList<>();
            for (String id : List.of("a", "b", "c")) {
                next.add(batcher.submit(TestImages.bus(), id));
            }
            for (MicroBatcher.Ticket t : next) {
                awaitProgress(t, MicroBatcher.Progress.BATCHED);
            }
            unblock.countDown();
            recorder.await();
        }
        assertThat(recorder.batchSizes).containsExactly(1, 3);
        assertThat(recorder.completed.get("a").batchSize()).isEqualTo(3);
        assertThat(recorder.completed).containsOnlyKeys("first", "a", "b", "c");
    }

    /** Adaptive under load: with the engine busy and images queued, batches still close full. */
    @Test
    void underLoadAdaptiveBatchesStayFull() throws Exception {
        CountDownLatch unblock = new CountDownLatch(1);
        Recorder recorder = new Recorder(9);
        try (Predictor predictor = new Predictor(blockingFirstBatch(unblock), PredictorConfig.DEFAULT);
             MicroBatcher<String> batcher = new MicroBatcher<>(predictor, new BatchingConfig(4, NEVER),
                     recorder, "test")) {
            batcher.submit(TestImages.bus(), "first");
            awaitRunning(batcher);
            List<MicroBatcher.Ticket> tickets = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                tickets.add(batcher.submit(TestImages.bus(), "img-" + i));
            }
            for (MicroBatcher.Ticket t : tickets.subList(0, 4)) { // the batch ready behind the running one
                awaitProgress(t, MicroBatcher.Progress.BATCHED);
            }
            unblock.countDown();
            recorder.await();
        }
        assertThat(recorder.batchSizes).containsExactly(1, 4, 4);
        assertThat(recorder.completed).hasSize(9);
    }

    @Test
    void badImagesAreReportedAtOnceAndTakeNoSlot() throws Exception {
        Recorder recorder = new Recorder(3);
        try (Predictor predictor = new Predictor(ORT.engine(), PredictorConfig.DEFAULT);
             MicroBatcher<String> batcher = new MicroBatcher<>(predictor, new BatchingConfig(4, Duration.ofMillis(20)),
                     recorder, "test")) {
            batcher.submit(new byte[0], "empty");
            batcher.submit(TestImages.bus(), "good");
            batcher.submit("no".getBytes(), "text");
            recorder.await();
        }
        assertThat(recorder.completed.get("empty").error().kind()).isEqualTo(ErrorKind.EMPTY_IMAGE);
        assertThat(recorder.completed.get("text").error().kind()).isEqualTo(ErrorKind.UNSUPPORTED_FORMAT);
        assertThat(recorder.completed.get("good").ok()).isTrue();
        assertThat(recorder.batchSizes).containsExactly(1);
    }

    @Test
    void engineFailuresFailTheItemsInsteadOfMakingDeadLetters() throws Exception {
        Recorder recorder = new Recorder(2);
        try (InferenceEngine failing = new ScriptedEngine(ORT.engine(), (real, input, n) -> {
                 throw new EngineException("device lost");
             });
             Predictor predictor = new Predictor(failing, PredictorConfig.DEFAULT);
             MicroBatcher<String> batcher = new MicroBatcher<>(predictor, new BatchingConfig(2, Duration.ofMillis(20)),
                     recorder, "test")) {
            batcher.submit(TestImages.bus(), "x");
            batcher.submit(TestImages.bus(), "y");
            recorder.await();
        }
        assertThat(recorder.failed.keySet()).containsExactlyInAnyOrder("x", "y");
        assertThat(recorder.failed.get("x")).hasMessageContaining("device lost");
        assertThat(recorder.completed).isEmpty();
    }

    /**
     * Regression (issue 13.2): an Error from the engine used to kill the inference thread silently; every later image
     * then timed out into a dead letter. Now the images fail (so the job restarts) and the batcher takes no more.
     */
    @Test
    void anErrorFromTheEngineFailsTheBatcherAndEveryImageItHolds() throws Exception {
        Recorder recorder = new Recorder(3);
        try (InferenceEngine oom = new ScriptedEngine(ORT.engine(), (real, input, n) -> {
                 throw new OutOfMemoryError("scripted: Java heap space");
             });
             Predictor predictor = new Predictor(oom, PredictorConfig.DEFAULT);
             MicroBatcher<String> batcher = new MicroBatcher<>(predictor, new BatchingConfig(2, Duration.ofMillis(20)),
                     recorder, "test")) {
            batcher.submit(TestImages.bus(), "a");
            batcher.submit(TestImages.bus(), "b");
            batcher.submit(TestImages.bus(), "c");
            recorder.await();
            assertThat(batcher.failure()).containsInstanceOf(OutOfMemoryError.class);
            assertThatThrownBy(() -> batcher.submit(TestImages.bus(), "late"))
                    .isInstanceOf(BatcherFailedException.class).hasMessageContaining("Java heap space");
        }
        assertThat(recorder.failed.keySet()).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(recorder.failed.values()).allSatisfy(e -> assertThat(e).isInstanceOf(OutOfMemoryError.class));
        assertThat(recorder.completed).isEmpty();
    }

    /**
     * Regression (issue 13.1): with the closing thread interrupted (Flink's cancel) close() returned at once and freed
     * the input buffers under the running batch, and the JVM crashed in ONNX Runtime. Now it waits for the batch.
     */
    @Test
    void closeWithTheCallerInterruptedWaitsForTheRunningBatchBeforeFreeing() throws Exception {
        ScriptedEngine slow = new ScriptedEngine(ORT.engine(), ScriptedEngine.slow(1500));
        CountDownLatch released = new CountDownLatch(1);
        Recorder recorder = new Recorder(1);
        try (Predictor predictor = new Predictor(slow, PredictorConfig.DEFAULT)) {
            MicroBatcher<String> batcher = new MicroBatcher<>(predictor, new BatchingConfig(1, Duration.ZERO),
                    recorder, "test");
            batcher.submit(TestImages.bus(), "running");
            awaitRunning(batcher);
            Thread.currentThread().interrupt();
            batcher.close(released::countDown);
            assertThat(Thread.interrupted()).as("the caller's interrupt is kept").isTrue();
            assertThat(released.getCount()).as("released once the batch returned").isZero();
        }
        assertThat(slow.runsOnFreedMemory).hasValue(0);
        assertThat(slow.inputBatches).allSatisfy(b -> assertThat(b.freed).isTrue());
        assertThat(recorder.completed).as("no outcome after close: the job replays the image").isEmpty();
    }

    /** A batch that outlasts close()'s wait keeps its memory; the batcher's last thread frees it when it returns. */
    @Test
    void aBatchOutlastingCloseIsFreedByItsOwnThreadWhenItReturns() throws Exception {
        ScriptedEngine slow = new ScriptedEngine(ORT.engine(), ScriptedEngine.slow(2000));
        CountDownLatch released = new CountDownLatch(1);
        Predictor predictor = new Predictor(slow, PredictorConfig.DEFAULT);
        MicroBatcher<String> batcher = new MicroBatcher<>(predictor, new BatchingConfig(1, Duration.ZERO),
                new Recorder(1), "test");
        batcher.closeGrace(Duration.ofMillis(100));
        batcher.submit(TestImages.bus(), "running");
        awaitRunning(batcher);
        long start = System.nanoTime();
        batcher.close(() -> {
            predictor.close();
            released.countDown();
        });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        assertThat(released.getCount()).as("not released under the running batch").isOne();
        assertThat(slow.inputBatches).noneSatisfy(b -> assertThat(b.freed).isTrue());
        assertThat(released.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(slow.runsOnFreedMemory).hasValue(0);
        assertThat(slow.inputBatches).allSatisfy(b -> assertThat(b.freed).isTrue());
        awaitNoBatcherThreads(); // the release is the last thing the thread does; it ends just after
    }

    /**
     * A timeout is the image's fault only while its own decode runs; a stuck engine fails the job; an image queued
     * behind a batch that runs (for less than the timeout) is behind: its caller looks again later.
     */
    @Test
    void lateImagesBlameAStuckEngineNotThemselves() throws Exception {
        CountDownLatch unblock = new CountDownLatch(1);
        ScriptedEngine stuck = new ScriptedEngine(ORT.engine(), (real, input, n) -> {
            try {
                unblock.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return real.run(input, n);
        });
        Recorder recorder = new Recorder(2);
        try (Predictor predictor = new Predictor(stuck, PredictorConfig.DEFAULT);
             MicroBatcher<String> batcher = new MicroBatcher<>(predictor, new BatchingConfig(1, Duration.ZERO),
                     recorder, "test")) {
            MicroBatcher.Ticket running = batcher.submit(TestImages.bus(), "running");
            MicroBatcher.Ticket waiting = batcher.submit(TestImages.bus(), "waiting");
            awaitRunning(batcher);
            Thread.sleep(300);
            Lateness stuckEngine = batcher.lateness(running, Duration.ofMillis(200));
            assertThat(stuckEngine.verdict()).isEqualTo(Lateness.Verdict.BATCHER_AT_FAULT);
            assertThat(stuckEngine.batcherFailure()).hasMessageContaining("RUNNING").hasMessageContaining("the engine is stuck");
            Lateness behind = batcher.lateness(waiting, Duration.ofSeconds(30));
            assertThat(behind.verdict()).isEqualTo(Lateness.Verdict.BEHIND);
            assertThatThrownBy(behind::batcherFailure).isInstanceOf(IllegalStateException.class);
            unblock.countDown();
            recorder.await();
            awaitProgress(running, MicroBatcher.Progress.DONE);
            assertThat(batcher.lateness(running, Duration.ofMillis(200)).verdict()).as("done: nothing to blame")
                    .isEqualTo(Lateness.Verdict.DONE);
            assertThatThrownBy(() -> batcher.lateness(running, Duration.ofMillis(200)).batcherFailure())
                    .isInstanceOf(IllegalStateException.class);
        }
        assertThat(recorder.completed).containsOnlyKeys("running", "waiting");
    }

    /**
     * While one image's own decode runs: that image is slow itself (a TIMEOUT dead letter for the caller) once that
     * decode has run for half the timeout, and behind before (it may just have begun after a wait); an image queued
     * behind it is behind as long as a batch finished within its timeout, and
     * held up by a stuck batcher once none has for a whole timeout (the prepare thread could be hung in native code).
     * A 36-megapixel JPEG keeps the prepare thread busy long enough to ask.
     */
    @Test
    void whileAnImageDecodesItIsSlowItselfAndOneQueuedBehindItIsBehindUntilNoBatchHasFinishedForATimeout()
            throws Exception {
        byte[] huge = TestImages.solid(6000, 6000, 40, 80, 120, ".jpg");
        Recorder recorder = new Recorder(3);
        try (Predictor predictor = new Predictor(ORT.engine(), PredictorConfig.DEFAULT);
             MicroBatcher<String> batcher = new MicroBatcher<>(predictor, new BatchingConfig(1, Duration.ZERO),
                     recorder, "test")) {
            MicroBatcher.Ticket first = batcher.submit(TestImages.bus(), "first");
            awaitProgress(first, MicroBatcher.Progress.DONE);
            MicroBatcher.Ticket slow = batcher.submit(huge, "huge");
            MicroBatcher.Ticket queued = batcher.submit(TestImages.bus(), "queued");
            Lateness itself = null;
            Lateness justBegun = null;
            Lateness behind = null;
            Lateness stuck = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            long decodingSeen = 0;
            while (stuck == null && System.nanoTime() < deadline) {
                if (!slowAndQueued(slow, queued)) {
                    continue;
                }
                if (decodingSeen == 0) {
                    decodingSeen = System.nanoTime();
                } else if (System.nanoTime() - decodingSeen > TimeUnit.MILLISECONDS.toNanos(50)) {
                    Lateness i = batcher.lateness(slow, Duration.ofMillis(1));
                    Lateness j = batcher.lateness(slow, Duration.ofSeconds(30));
                    Lateness b = batcher.lateness(queued, Duration.ofSeconds(30));
                    Lateness s = batcher.lateness(queued, Duration.ofNanos(1));
                    if (slowAndQueued(slow, queued)) { // still: the verdicts were given on that state
                        itself = i;
                        justBegun = j;
                        behind = b;
                        stuck = s;
                    }
                }
            }
            recorder.await(); // here the decode had about 0.8 s to go when asked
            assertThat(stuck).as("asked while the huge image decoded").isNotNull();
            assertThat(itself.verdict()).as("decoding for 50 ms, over half a 1 ms timeout")
                    .isEqualTo(Lateness.Verdict.SLOW_IMAGE);
            assertThat(justBegun.verdict()).as("decoding for far less than half a 30 s timeout")
                    .isEqualTo(Lateness.Verdict.BEHIND);
            assertThat(behind.verdict()).isEqualTo(Lateness.Verdict.BEHIND);
            assertThat(stuck.verdict()).isEqualTo(Lateness.Verdict.BATCHER_AT_FAULT);
            assertThat(stuck.batcherFailure()).hasMessageContaining("QUEUED").hasMessageContaining("the engine is idle")
                    .hasMessageContaining("no batch has finished for").hasMessageContaining("prepare thread is stuck");
        }
        assertThat(recorder.completed).containsOnlyKeys("first", "huge", "queued");
    }

    private static boolean slowAndQueued(MicroBatcher.Ticket slow, MicroBatcher.Ticket queued) {
        return slow.progress() == MicroBatcher.Progress.PREPARING && queued.progress() == MicroBatcher.Progress.QUEUED;
    }

    /** Regression (issue 13.8): buffers allocated before a failed construction were never freed. */
    @Test
    void aFailedConstructionFreesTheBuffersItAllocated() {
        ScriptedEngine engine = new ScriptedEngine(ORT.engine(), (real, input, n) -> real.run(input, n));
        engine.failInputBatchNumber = 2;
        try (Predictor predictor = new Predictor(engine, PredictorConfig.DEFAULT)) {
            assertThatThrownBy(() -> new MicroBatcher<>(predictor, BatchingConfig.DEFAULT, new Recorder(0), "test"))
                    .isInstanceOf(OutOfMemoryError.class);
        }
        assertThat(engine.inputBatches).hasSize(1).allSatisfy(b -> assertThat(b.freed).isTrue());
    }

    /**
     * Issue 14: a batch decoded on the shared decode pool reaches the engine bit for bit as one decoded on the
     * prepare thread, bad images' slots closed up in both, and gives the same detections.
     */
    @Test
    void aBatchDecodedInParallelIsBitIdenticalToOneDecodedInSequence() throws Exception {
        List<byte[]> images = new java.util.ArrayList<>();
        try (var files = java.nio.file.Files.list(SharedFiles.coco8().resolve("images/val"))) {
            files.sorted().forEach(f -> images.add(TestImages.read(f)));
        }
        images.add(1, "not an image".getBytes()); // a gap to close up in the middle of the batch
        images.add(TestImages.bus());
        Map<Integer, float[]> sequential = new ConcurrentHashMap<>();
        Map<String, Prediction> sequentialOut = decodeAll(images, 1, sequential);
        Map<Integer, float[]> parallel = new ConcurrentHashMap<>();
        long[] onPool = new long[1];
        Map<String, Prediction> parallelOut = decodeAll(images, 4, parallel, null, onPool);
        assertThat(onPool[0]).as("images handed to the decode pool (ONNX Runtime: all)").isEqualTo(images.size());
        // as with GPU pre-processing, some images prepared on the prepare thread and the rest on the pool, the bad
        // image among the former: a pool thread's hand-off saved where the host only checks a header
        java.util.Set<byte[]> here = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (int i = 1; i < images.size(); i += 2) {
            here.add(images.get(i));
        }
        Map<Integer, float[]> mixed = new ConcurrentHashMap<>();
        Map<String, Prediction> mixedOut = decodeAll(images, 4, mixed, here::contains, onPool);
        assertThat(onPool[0]).as("images handed to the decode pool").isEqualTo(images.size() - here.size());

        for (Map<Integer, float[]> inputs : List.of(parallel, mixed)) {
            assertThat(inputs.keySet()).containsExactly(images.size() - 1).isEqualTo(sequential.keySet());
            assertThat(inputs.get(images.size() - 1)).as("engine input").isEqualTo(sequential.get(images.size() - 1));
        }
        for (Map<String, Prediction> out : List.of(parallelOut, mixedOut)) {
            assertThat(out.get("1").error().kind()).isEqualTo(ErrorKind.UNSUPPORTED_FORMAT);
            for (String id : sequentialOut.keySet()) {
                assertThat(out.get(id).objects()).as("detections of image %s", id).isEqualTo(sequentialOut.get(id).objects());
            }
        }
    }

    /**
     * Issue 14: with a decode pool, a batch's images are post-processed by several threads at once (the first
     * callback waits until a second arrives from another thread: one thread alone never gets there), each image
     * gets exactly one outcome, and a post-processing exception fails only its own image.
     */
    @Test
    void aBatchIsPostProcessedInParallelOneOutcomePerImageAndAFailureStaysWithItsImage() throws Exception {
        int images = 8;
        CountDownLatch secondThread = new CountDownLatch(1);
        Map<String, Integer> calls = new ConcurrentHashMap<>();
        Map<String, String> threads = new ConcurrentHashMap<>();
        Recorder recorder = new Recorder(images) {
            @Override
            public void completed(String item, Prediction prediction, long queueWaitNanos) {
                record(item);
                super.completed(item, prediction, queueWaitNanos);
            }

            @Override
            public void failed(String item, Throwable error) {
                record(item);
                super.failed(item, error);
            }

            private void record(String item) {
                calls.merge(item, 1, Integer::sum);
                String me = Thread.currentThread().getName();
                threads.put(item, me);
                if (threads.values().stream().anyMatch(t -> !t.equals(me))) {
                    secondThread.countDown();
                }
                try {
                    secondThread.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        try (InferenceEngine wide = Engines.open(EngineSpec.onnxRuntime(SharedFiles.model(), images));
             Predictor predictor = new Predictor(new ScriptedEngine(wide, (real, input, n) -> {
                 // the output of the last slot is cut off: decoding it throws, as a broken output would
                 java.nio.FloatBuffer out = real.run(input, n);
                 return out.duplicate().limit(out.capacity() / n * (n - 1) + 10).slice();
             }), PredictorConfig.DEFAULT);
             MicroBatcher<String> batcher = new MicroBatcher<>(predictor,
                     // fixed: one batch of all the images, which adaptive would close early while the engine idles
                     new BatchingConfig(images, Duration.ofSeconds(5), 4).withWait(BatchWait.FIXED), recorder, "test")) {
            for (int i = 0; i < images; i++) {
                batcher.submit(TestImages.bus(), String.valueOf(i));
            }
            recorder.await();
            assertThat(batcher.failure()).isEmpty();
        }
        assertThat(secondThread.getCount()).as("a second thread post-processed meanwhile").isZero();
        assertThat(calls).hasSize(images).allSatisfy((item, n) -> assertThat(n).as("outcomes of %s", item).isOne());
        assertThat(recorder.failed.keySet()).containsExactly(String.valueOf(images - 1));
        assertThat(recorder.failed.values()).allSatisfy(e -> assertThat(e).isInstanceOf(IndexOutOfBoundsException.class));
        assertThat(recorder.completed).hasSize(images - 1)
                .allSatisfy((item, p) -> assertThat(p.objects()).as("detections of %s", item).isNotEmpty());
    }

    /** An {@link Error} while post-processing on a pool thread still fails the batcher, as on the inference thread. */
    @Test
    void anErrorWhilePostProcessingInParallelFailsTheBatcher() throws Exception {
        Recorder recorder = new Recorder(4) {
            @Override
            public void completed(String item, Prediction prediction, long queueWaitNanos) {
                if (item.equals("2")) {
                    throw new StackOverflowError("scripted: in post-processing");
                }
                super.completed(item, prediction, queueWaitNanos);
            }
        };
        try (InferenceEngine wide = Engines.open(EngineSpec.onnxRuntime(SharedFiles.model(), 4));
             Predictor predictor = new Predictor(wide, PredictorConfig.DEFAULT);
             MicroBatcher<String> batcher = new MicroBatcher<>(predictor,
                     new BatchingConfig(4, Duration.ofSeconds(5), 4).withWait(BatchWait.FIXED), recorder, "test")) {
            for (int i = 0; i < 4; i++) {
                batcher.submit(TestImages.bus(), String.valueOf(i));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (batcher.failure().isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(batcher.failure()).containsInstanceOf(StackOverflowError.class);
            assertThatThrownBy(() -> batcher.submit(TestImages.bus(), "late")).isInstanceOf(BatcherFailedException.class);
        }
        assertThat(recorder.completed.size() + recorder.failed.size()).as("no image reported twice").isLessThanOrEqualTo(4);
        assertThat(recorder.completed).doesNotContainKey("2");
    }

    /** Runs every image in one batch; records the engine's input per batch size. */
    private static Map<String, Prediction> decodeAll(List<byte[]> images, int decodeThreads, Map<Integer, float[]> inputs)
            throws Exception {
        return decodeAll(images, decodeThreads, inputs, null, new long[1]);
    }

    /**
     * @param preparedHere the images the prepare thread prepares itself even with a decode pool; null: the
     *                     predictor's choice
     * @param onPool       receives how many images went to the decode pool
     */
    private static Map<String, Prediction> decodeAll(List<byte[]> images, int decodeThreads, Map<Integer, float[]> inputs,
                                                     java.util.function.Predicate<byte[]> preparedHere, long[] onPool)
            throws Exception {
        try (InferenceEngine wide = Engines.open(EngineSpec.onnxRuntime(SharedFiles.model(), 16))) {
            return decodeAll(wide, images, decodeThreads, inputs, preparedHere, onPool);
        }
    }

    private static Map<String, Prediction> decodeAll(InferenceEngine engine, List<byte[]> images, int decodeThreads,
                                                     Map<Integer, float[]> inputs) throws Exception {
        return decodeAll(engine, images, decodeThreads, inputs, null, new long[1]);
    }

    private static Map<String, Prediction> decodeAll(InferenceEngine engine, List<byte[]> images, int decodeThreads,
                                                     Map<Integer, float[]> inputs,
                                                     java.util.function.Predicate<byte[]> preparedHere, long[] onPool)
            throws Exception {
        ScriptedEngine recording = new ScriptedEngine(engine, (real, input, n) -> {
            float[] copy = new float[n * input.imageSize()];
            input.floats().get(0, copy);
            inputs.put(n, copy);
            return real.run(input, n);
        });
        Recorder recorder = new Recorder(images.size());
        BatchingConfig config = new BatchingConfig(images.size(), Duration.ofSeconds(5), decodeThreads).withWait(BatchWait.FIXED);
        try (Predictor predictor = new Predictor(recording, PredictorConfig.DEFAULT);
             MicroBatcher<String> batcher = preparedHere == null
                     ? new MicroBatcher<>(predictor, config, recorder, "test")
                     : new MicroBatcher<>(predictor, config, recorder, "test",
                             DecodeFirst.forBatcher(false, config.gpuDecodeHold()), preparedHere)) {
            for (int i = 0; i < images.size(); i++) {
                batcher.submit(images.get(i), String.valueOf(i));
            }
            recorder.await();
            onPool[0] = batcher.decodesOnPool();
        }
        return recorder.completed;
    }

    /** A delay no test waits for: a batch that closes did so for another reason. */
    private static final Duration NEVER = Duration.ofMinutes(10);

    private static BatchingConfig fixed(int maxBatchSize, Duration maxBatchDelay) {
        return new BatchingConfig(maxBatchSize, maxBatchDelay).withWait(BatchWait.FIXED);
    }

    /** The test engine, whose first batch waits in the engine for {@code unblock}; later batches run at once. */
    private static ScriptedEngine blockingFirstBatch(CountDownLatch unblock) {
        return new ScriptedEngine(ORT.engine(), (real, input, n) -> {
            try {
                assertThat(unblock.await(60, TimeUnit.SECONDS)).as("the test released the engine").isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return real.run(input, n);
        });
    }

    private static void awaitProgress(MicroBatcher.Ticket ticket, MicroBatcher.Progress progress) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (ticket.progress() != progress) {
            assertThat(System.nanoTime()).as("image reached %s (is %s)", progress, ticket.progress()).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private static void awaitRunning(MicroBatcher<?> batcher) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (batcher.queued() > 0 || !inferenceThreadInEngine()) {
            assertThat(System.nanoTime()).as("a batch started").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    /** True once a test batcher's inference thread is inside the scripted run. */
    private static boolean inferenceThreadInEngine() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().equals("test-inference"))
                .anyMatch(e -> java.util.Arrays.stream(e.getValue())
                        .anyMatch(f -> f.getClassName().startsWith(ScriptedEngine.class.getName())));
    }

    private static void awaitNoBatcherThreads() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!batcherThreads().isEmpty()) {
            assertThat(System.nanoTime()).as("batcher threads still alive: %s", batcherThreads()).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    private static List<String> batcherThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.startsWith("test-")).toList();
    }
}
