package io.streamdetect.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.engine.Backend;
import io.streamdetect.predict.Prediction;
import io.streamdetect.swap.AcceptedModel;
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
