package io.streamdetect.flink;

import io.streamdetect.engine.Backend;
import io.streamdetect.engine.EngineSpec;
import io.streamdetect.engine.SharedEngines;
import io.streamdetect.predict.Prediction;
import io.streamdetect.swap.FileDigest;
import io.streamdetect.testing.OnnxModelWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/**
 * A JVM whose slot swaps to a watched candidate under a JavaCPP memory limit too small for the candidate's probe: the
 * running model at batch 64 holds ~790 MB of JavaCPP memory, the probe asks ~300 MB more, and JavaCPP throws an
 * {@link OutOfMemoryError} (an Error, not an exception) past {@code -Dorg.bytedeco.javacpp.maxBytes}. Prints one
 * line, {@code refused=N swaps=N watcherAlive=B candidateUsers=N hooked=B failures=N}, after the slot closed. JavaCPP
 * reads its limit once, when it loads: hence a JVM of its own ({@link ModelSwitcherTest} starts it). Arguments:
 * model, image, a folder to watch.
 */
public final class SwapsUnderANativeMemoryLimit {
    private SwapsUnderANativeMemoryLimit() {}

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        byte[] image = Files.readAllBytes(Path.of(args[1]));
        Path watched = Files.createDirectories(Path.of(args[2]));
        DetectionSettings settings = DetectionOperator.builder().setModel(model.toString())
                .setBackend(Backend.ONNXRUNTIME).setIntraOpThreads(1).setMaxBatchSize(64)
                .setModelWatch(watched.toString(), Duration.ofMillis(50)).build().settings();
        ModelSwapMetrics metrics = new ModelSwapMetrics(UnregisteredMetricsGroup.createOperatorMetricGroup());
        AtomicInteger processed = new AtomicInteger();
        AtomicInteger failures = new AtomicInteger();
        ModelGeneration.Listener<Integer> listener = new ModelGeneration.Listener<>() {
            @Override
            public void completed(ModelGeneration<Integer> m, Integer item, Prediction p, long queueWaitNanos) {
                (p.ok() ? processed : failures).incrementAndGet();
            }

            @Override
            public void failed(Integer item, Throwable error) {
                failures.incrementAndGet();
            }

            @Override
            public void batchRan(int size, long inferenceNanos) {}
        };
        ModelSwitcher<Integer> slot = new ModelSwitcher<>(settings, settings.engine(), null, listener, "oom-swap-0",
                metrics);
        String watcher = "oom-swap-0-model-watch";
        Path candidate = watched.resolve("detector-2.onnx");
        boolean watcherAlive;
        try {
            slot.submit(image, 0);
            await(() -> processed.get() + failures.get() == 1);
            // a dynamic-batch 640x640 candidate with a YOLO-shaped output of 2 classes: it loads, and its probe's
            // predictor asks for an input batch of 64 images
            OnnxModelWriter.reshape(candidate, new long[] {-1, 3, 640, 640}, new long[] {-1, 6, 8400},
                    Map.of("names", "{0: 'a', 1: 'b'}", "imgsz", "[640, 640]"));
            await(() -> metrics.refused.getCount() + metrics.swaps.getCount() > 0 || !alive(watcher));
            Thread.sleep(300); // a watcher killed by the error is gone by now
            watcherAlive = alive(watcher);
        } finally {
            slot.close();
        }
        EngineSpec candidateSpec = settings.engine().withModelPath(candidate.toString());
        System.out.printf("refused=%d swaps=%d watcherAlive=%s candidateUsers=%d hooked=%s failures=%d%n",
                metrics.refused.getCount(), metrics.swaps.getCount(), watcherAlive,
                SharedEngines.instance().users(candidateSpec, FileDigest.sha256(candidate)),
                shutdownHookRegistered("streamdetect-onnxruntime-shutdown"), failures.get());
        System.exit(0); // a leaked engine's non-daemon threads must not keep this JVM up
    }

    /** Whether a JVM shutdown hook of that thread name is registered (it pins the class loader that made it). */
    @SuppressWarnings("unchecked")
    private static boolean shutdownHookRegistered(String name) throws ReflectiveOperationException {
        Class<?> hooks = Class.forName("java.lang.ApplicationShutdownHooks");
        java.lang.reflect.Field field = hooks.getDeclaredField("hooks");
        field.setAccessible(true); // the command line opens java.lang
        synchronized (hooks) {
            return ((Map<Thread, Thread>) field.get(null)).keySet().stream().anyMatch(t -> t.getName().equals(name));
        }
    }

    private static boolean alive(String thread) {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals(thread) && t.isAlive());
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }
}
