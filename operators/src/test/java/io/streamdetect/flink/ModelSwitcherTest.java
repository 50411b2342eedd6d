package io.streamdetect.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdetect.engine.Backend;
import io.streamdetect.engine.EngineSpec;
import io.streamdetect.predict.Prediction;
import io.streamdetect.swap.AcceptedModel;
import io.streamdetect.swap.FileDigest;
import io.streamdetect.testing.OnnxModelWriter;
import io.streamdetect.testing.SharedFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One slot's model swap on ONNX Runtime with the real models: a model of another input size is refused, yolo26n
 * is switched to while images keep coming (each image processed once, by one model, the old ones first), and a
 * slot opened with the accepted model (a restart) starts on it; one whose file changed since starts on the
 * configured model.
 */
class ModelSwitcherTest {
    private static final Duration WAIT = Duration.ofMinutes(Long.getLong("streamdetect.test.swap-wait-minutes", 1));

    /** The engine the models run on: ONNX Runtime, one thread. */
    DetectionOperator.Builder engine(DetectionOperator.Builder builder) {
        return builder.setBackend(Backend.ONNXRUNTIME).setIntraOpThreads(1);
    }

    /** Which model processed each image, in completion order. */
    private final Map<Integer, List<String>> processedBy = new ConcurrentHashMap<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();

    @Test
    void refusesAnotherInputSizeSwitchesWhileImagesFlowAndARestartComesBackOnTheAcceptedModel(@TempDir Path dir)
            throws Exception {
        Path watched = Files.createDirectories(dir.resolve("models"));
        DetectionSettings settings = engine(DetectionOperator.builder().setModel(SharedFiles.model().toString())
                .setMaxBatchSize(8).setModelWatch(watched.toString(), Duration.ofMillis(50))).build().settings();
        byte[] bus = Files.readAllBytes(SharedFiles.busJpg());
        ModelSwapMetrics metrics = new ModelSwapMetrics(UnregisteredMetricsGroup.createOperatorMetricGroup());
        AcceptedModel accepted;
        int submitted = 0;
        try (ModelSwitcher<Integer> slot = new ModelSwitcher<>(settings, settings.engine(), null, listener(), "test-0",
                metrics)) {
            // a 32x32 model: it loads and runs, but not on the running model's 640x640 input
            OnnxModelWriter.reshape(watched.resolve("detector-1.onnx"), new long[] {1, 3, 32, 32},
                    new long[] {1, 6, 512}, Map.of("names", "{0: 'a', 1: 'b'}", "imgsz", "[32, 32]"));
            await(() -> metrics.refused.getCount() == 1, "the 32x32 model refused");
            assertThat(slot.accepted()).isEmpty();

            Files.copy(SharedFiles.exportedModel("yolo26n.onnx"), watched.resolve("detector-2.onnx"));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (metrics.swaps.getCount() == 0 && System.nanoTime() < deadline) {
                slot.submit(bus, submitted++);
                Thread.sleep(20);
            }
            assertThat(metrics.swaps.getCount()).isEqualTo(1);
            for (int i = 0; i < 6; i++) {
                slot.submit(bus, submitted++);
            }
            int all = submitted;
            await(() -> processedBy.size() == all, "every image processed");
            accepted = slot.accepted().orElseThrow();
            assertThat(accepted.path()).isEqualTo(watched.resolve("detector-2.onnx").toString());
        }
        assertThat(failures).isEmpty();
        assertThat(processedBy.values()).as("each image once").allMatch(by -> by.size() == 1);
        int last11n = processedBy.entrySet().stream().filter(e -> e.getValue().get(0).equals("yolo11n"))
                .mapToInt(Map.Entry::getKey).max().orElse(-1);
        int first = processedBy.entrySet().stream().filter(e -> e.getValue().get(0).equals("detector-2"))
                .mapToInt(Map.Entry::getKey).min().orElseThrow();
        assertThat(processedBy.values()).allMatch(by -> by.get(0).equals("yolo11n") || by.get(0).equals("detector-2"));
        assertThat(last11n).as("images submitted before the switch went to yolo11n, after it to the new model")
                .isLessThan(first);

        processedBy.clear();
        ModelSwapMetrics restarted = new ModelSwapMetrics(UnregisteredMetricsGroup.createOperatorMetricGroup());
        try (ModelSwitcher<Integer> slot = new ModelSwitcher<>(settings, settings.engine(), accepted, listener(),
                "test-0", restarted)) {
            slot.submit(bus, 0);
            await(() -> processedBy.size() == 1, "the first image after the restart");
            assertThat(processedBy.get(0)).containsExactly("detector-2");
            assertThat(slot.accepted()).contains(accepted);
        }
        assertThat(restarted.swaps.getCount()).as("a restore is no swap").isZero();

        processedBy.clear();
        Files.delete(watched.resolve("detector-2.onnx"));
        Files.delete(watched.resolve("detector-1.onnx"));
        try (ModelSwitcher<Integer> slot = new ModelSwitcher<>(settings, settings.engine(), accepted, listener(),
                "test-0", new ModelSwapMetrics(UnregisteredMetricsGroup.createOperatorMetricGroup()))) {
            slot.submit(bus, 0);
            await(() -> processedBy.size() == 1, "the first image after a restart without the accepted file");
            assertThat(processedBy.get(0)).as("the configured model").containsExactly("yolo11n");
            assertThat(slot.accepted()).isEmpty();
        }
    }

    /**
     * The slot's first model opens in the background (made to take 1.5 s): images submitted meanwhile wait, then all
     * run on it. Their timeouts count from the opening: one whose timer fired while it waited, and one whose timer
     * fired after the opening had handed it to the batcher but before a full timeout since (its timer counts from
     * its submission), are both handed back a full timeout after the model opened; the third, whose timer did not
     * fire, not at all. An image submitted to the open model, or a timer that comes after that look, expires at once.
     */
    @Test
    void imagesWaitForTheFirstModelAndTheirTimeoutsCountFromItsOpening() throws Exception {
        // two threads: an engine of its own, so that this test's delayed opening is not one another test made
        DetectionSettings settings = DetectionOperator.builder().setModel(SharedFiles.model().toString())
                .setBackend(Backend.ONNXRUNTIME).setIntraOpThreads(2).setMaxBatchSize(4)
                .setTimeout(Duration.ofMillis(700)).build().settings();
        byte[] bus = Files.readAllBytes(SharedFiles.busJpg());
        List<Integer> expired = new CopyOnWriteArrayList<>();
        long[] expiredAt = {0};
        System.setProperty(io.streamdetect.engine.SharedEngines.TEST_OPEN_DELAY_PROPERTY, "1500");
        long start = System.nanoTime();
        try (ModelSwitcher<Integer> slot = new ModelSwitcher<>(settings, settings.engine(), null, listener(), "test-0",
                new ModelSwapMetrics(UnregisteredMetricsGroup.createOperatorMetricGroup()), item -> {
                    expired.add(item);
                    expiredAt[0] = System.nanoTime();
                })) {
            List<ModelSwitcher.Placed<Integer>> placed = new java.util.ArrayList<>();
            for (int i = 0; i < 3; i++) {
                placed.add(slot.submit(bus, i));
            }
            assertThat(placed).noneMatch(ModelSwitcher.Placed::inBatcher);
            assertThat(slot.waiting()).isEqualTo(3);
            assertThat(placed.get(0).deferTimeout()).as("its timer fired while the model opened: it waits").isTrue();
            await(() -> placed.get(1).inBatcher(), "the images that waited, handed to the batcher once the model opened");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
            assertThat(placed.get(1).deferTimeout()).as("in a batcher, but less than a timeout after the opening: "
                    + "it waits").isTrue();
            await(() -> processedBy.size() == 3, "the images that waited, processed");
            assertThat(placed).allMatch(ModelSwitcher.Placed::inBatcher);
            assertThat(slot.submit(bus, 3).deferTimeout()).as("submitted to the open model: expire it now").isFalse();
            await(() -> expired.size() == 2, "the deferred timeouts handed back");
            Thread.sleep(200);
            assertThat(expired).containsExactly(0, 1);
            assertThat(Duration.ofNanos(expiredAt[0] - start)).as("a full timeout after the opening")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(1500 + 700));
            assertThat(placed.get(2).deferTimeout()).as("a timer after the slot's deferred look: expire it now")
                    .isFalse();
        } finally {
            System.clearProperty(io.streamdetect.engine.SharedEngines.TEST_OPEN_DELAY_PROPERTY);
        }
        assertThat(failures).isEmpty();
    }

    /**
     * A slot closed while its first model still opens (a batch task that ends before its engine is up) waits for the
     * opening: the opening thread must not outlive the task, whose class loader Flink closes once the job's tasks
     * on the TaskManager have ended (ONNX Runtime's JNI then crashed the TaskManager describing the new session).
     */
    @Test
    void closingWhileTheModelOpensWaitsForTheOpeningAndClosesTheModel() throws Exception {
        // three threads: an engine of its own, so that no other test's engine is the one counted here
        DetectionSettings settings = DetectionOperator.builder().setModel(SharedFiles.model().toString())
                .setBackend(Backend.ONNXRUNTIME).setIntraOpThreads(3).build().settings();
        System.setProperty(io.streamdetect.engine.SharedEngines.TEST_OPEN_DELAY_PROPERTY, "1200");
        try {
            ModelSwitcher<Integer> slot = new ModelSwitcher<>(settings, settings.engine(), null, listener(),
                    "closing-early-0", new ModelSwapMetrics(UnregisteredMetricsGroup.createOperatorMetricGroup()));
            await(() -> isOpening("closing-early-0-open"), "the model opening");
            long start = System.nanoTime();
            slot.close();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("close waited for the opening")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(900));
            assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                    .doesNotContain("closing-early-0-open");
            assertThat(io.streamdetect.engine.SharedEngines.instance().users(settings.engine()))
                    .as("the model it opened, closed by the opening thread").isZero();
        } finally {
            System.clearProperty(io.streamdetect.engine.SharedEngines.TEST_OPEN_DELAY_PROPERTY);
        }
        assertThat(failures).isEmpty();
    }

    /**
     * A watched candidate still loading when the slot closes (made to take 3 s, through a wait that no interrupt
     * stops, as an engine opening in native code): close waits for the watcher's thread, which closes what it
     * loaded, so that no thread of the task's outlives it with an engine (see {@link ModelSwitcher#OPEN_GRACE}).
     */
    @Test
    void closingWhileACandidateLoadsWaitsForTheLoadAndClosesIt(@TempDir Path dir) throws Exception {
        Path watched = Files.createDirectories(dir.resolve("models"));
        // three threads: an engine of its own, so that no other test's engine is the one counted here
        DetectionSettings settings = DetectionOperator.builder().setModel(SharedFiles.model().toString())
                .setBackend(Backend.ONNXRUNTIME).setIntraOpThreads(3).setMaxBatchSize(8)
                .setModelWatch(watched.toString(), Duration.ofMillis(50)).build().settings();
        ModelSwitcher<Integer> slot = new ModelSwitcher<>(settings, settings.engine(), null, listener(),
                "closing-swap-0", new ModelSwapMetrics(UnregisteredMetricsGroup.createOperatorMetricGroup()));
        Path candidate = watched.resolve("detector-2.onnx");
        String sha;
        try {
            slot.submit(Files.readAllBytes(SharedFiles.busJpg()), 0);
            await(() -> processedBy.size() == 1, "the first model open");
            System.setProperty(io.streamdetect.engine.SharedEngines.TEST_OPEN_DELAY_PROPERTY, "3000");
            Files.copy(SharedFiles.exportedModel("yolo26n.onnx"), candidate);
            sha = FileDigest.sha256(candidate);
            await(() -> isOpening("closing-swap-0-model-watch"), "the watcher opening the candidate");
        } finally {
            slot.close();
            System.clearProperty(io.streamdetect.engine.SharedEngines.TEST_OPEN_DELAY_PROPERTY);
        }
        assertThat(Thread.getAllStackTraces().keySet()).extracting(Thread::getName)
                .as("the watcher's thread ended before close returned").doesNotContain("closing-swap-0-model-watch");
        EngineSpec candidateSpec = settings.engine().withModelPath(candidate.toString());
        assertThat(io.streamdetect.engine.SharedEngines.instance().users(candidateSpec, sha))
                .as("the candidate it loaded, closed by the watcher's thread").isZero();
        assertThat(io.streamdetect.engine.SharedEngines.instance().users(settings.engine())).isZero();
        assertThat(failures).isEmpty();
    }

    /**
     * A watched candidate whose probe runs out of native memory (JavaCPP's OutOfMemoryError, an Error) is refused like
     * any candidate that cannot be used: its engine closed, the watcher alive, the slot on its model. Before, only
     * RuntimeException and LinkageError were caught: the candidate's engine stayed open for the JVM's life, with the
     * ONNX Runtime shutdown hook that pins the job's class loader, and the watcher thread died. In a JVM of its own
     * ({@link SwapsUnderANativeMemoryLimit}): JavaCPP reads its limit once.
     */
    @Test
    void aCandidateThatRunsOutOfNativeMemoryIsRefusedAndClosed(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("child.log");
        Process child = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-Dorg.bytedeco.javacpp.maxBytes=1000m", "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0",
                "--add-opens=java.base/java.lang=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                SwapsUnderANativeMemoryLimit.class.getName(), SharedFiles.model().toString(),
                SharedFiles.busJpg().toString(), dir.resolve("models").toString()))
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(child.waitFor(3, java.util.concurrent.TimeUnit.MINUTES)).as("the child ends").isTrue();
        String output = Files.readString(log);
        assertThat(output).as("the probe ran out of JavaCPP memory; output:%n%s", output)
                .contains("Cannot allocate new FloatPointer");
        assertThat(output).as("output:%n%s", output)
                .contains("refused=1 swaps=0 watcherAlive=true candidateUsers=0 hooked=false failures=0");
    }

    /**
     * A first model that opens after close stopped waiting for it (a plan build, a slow disk): its thread closes the
     * engine and builds nothing more for the closed slot, no engine session, buffers or batcher threads (before, it
     * built a whole generation and then closed it, native work of a task already gone). The grace is cut to 100 ms
     * here, the opening made to take 1.5 s.
     */
    @Test
    void aFirstModelOpeningAfterCloseGaveUpBuildsNothingForTheClosedSlot() throws Exception {
        // four threads: an engine of its own, so that no other test's engine is the one opened here
        DetectionSettings settings = DetectionOperator.builder().setModel(SharedFiles.model().toString())
                .setBackend(Backend.ONNXRUNTIME).setIntraOpThreads(4).build().settings();
        System.setProperty(io.streamdetect.engine.SharedEngines.TEST_OPEN_DELAY_PROPERTY, "1500");
        java.util.Set<String> builtAfterClose = java.util.concurrent.ConcurrentHashMap.newKeySet();
        try {
            ModelSwitcher<Integer> slot = new ModelSwitcher<>(settings, settings.engine(), null, listener(),
                    "late-open-0", new ModelSwapMetrics(UnregisteredMetricsGroup.createOperatorMetricGroup()));
            await(() -> isOpening("late-open-0-open"), "the model opening");
            slot.openGrace(Duration.ofMillis(100));
            slot.close();
            Thread opener = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals("late-open-0-open")).findFirst().orElseThrow();
            // what the opening thread does once open, sampled: a generation's constructors, its batcher's threads
            java.util.Set<String> parts = java.util.Set.of(ModelGeneration.class.getName(),
                    io.streamdetect.predict.Predictor.class.getName(),
                    io.streamdetect.batching.MicroBatcher.class.getName());
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (opener.isAlive() && System.nanoTime() < deadline) {
                for (StackTraceElement frame : opener.getStackTrace()) {
                    if (parts.contains(frame.getClassName()) && frame.getMethodName().equals("<init>")) {
                        builtAfterClose.add(frame.getClassName());
                    }
                }
                Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                        .filter(n -> n.equals("late-open-0-prepare") || n.equals("late-open-0-inference"))
                        .forEach(builtAfterClose::add);
            }
            assertThat(opener.isAlive()).as("the opening ended").isFalse();
        } finally {
            System.clearProperty(io.streamdetect.engine.SharedEngines.TEST_OPEN_DELAY_PROPERTY);
        }
        assertThat(io.streamdetect.engine.SharedEngines.instance().users(settings.engine())).as("closed").isZero();
        assertThat(builtAfterClose).as("parts of a generation built for a closed slot").isEmpty();
        assertThat(failures).isEmpty();
    }

    /** Whether the thread of that name is inside an engine opening (the test delay's wait). */
    private static boolean isOpening(String threadName) {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().equals(threadName))
                .flatMap(e -> java.util.Arrays.stream(e.getValue()))
                .anyMatch(frame -> frame.getMethodName().equals("sleepThroughInterrupts"));
    }

    /** A model that cannot be opened fails the images waiting for it, every later one, and the next checkpoint. */
    @Test
    void aModelThatCannotBeOpenedFailsWaitingAndLaterImagesWithWhy(@TempDir Path dir) throws Exception {
        Path corrupt = Files.write(dir.resolve("half-copied.onnx"), new byte[] {8, 7, 18, 4, 'j', 'u', 'n', 'k'});
        DetectionSettings settings = engine(DetectionOperator.builder().setModel(corrupt.toString()).setCapacity(16))
                .build().settings(); // a capacity: else building reads the model for its batch, and fails there
        System.setProperty(io.streamdetect.engine.SharedEngines.TEST_OPEN_DELAY_PROPERTY, "300");
        try (ModelSwitcher<Integer> slot = new ModelSwitcher<>(settings, settings.engine(), null, listener(), "test-0",
                new ModelSwapMetrics(UnregisteredMetricsGroup.createOperatorMetricGroup()))) {
            slot.submit(new byte[] {1}, 0);
            await(() -> failures.size() == 1, "the waiting image failed");
            String why = "test-0 could not open its model " + corrupt + ": ";
            assertThat(failures.get(0)).hasMessageStartingWith(why);
            assertThatThrownBy(() -> slot.submit(new byte[] {1}, 1)).hasMessageStartingWith(why);
            assertThatThrownBy(slot::throwIfFailedToOpen).hasMessageStartingWith(why);
        } finally {
            System.clearProperty(io.streamdetect.engine.SharedEngines.TEST_OPEN_DELAY_PROPERTY);
        }
        assertThat(processedBy).isEmpty();
    }

    private ModelGeneration.Listener<Integer> listener() {
        return new ModelGeneration.Listener<>() {
            @Override
            public void completed(ModelGeneration<Integer> model, Integer item, Prediction p, long queueWaitNanos) {
                if (!p.ok()) {
                    failures.add(p.error());
                }
                processedBy.computeIfAbsent(item, k -> new CopyOnWriteArrayList<>()).add(model.modelName());
            }

            @Override
            public void failed(Integer item, Throwable error) {
                failures.add(error);
            }

            @Override
            public void batchRan(int size, long inferenceNanos) {}
        };
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(condition.getAsBoolean()).as(what).isTrue();
    }
}
