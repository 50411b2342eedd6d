package io.streamdetect.engine.onnxruntime;

import io.streamdetect.engine.EngineSession;
import io.streamdetect.engine.EngineSpec;
import io.streamdetect.engine.Engines;
import io.streamdetect.engine.InferenceEngine;
import io.streamdetect.engine.InputBatch;
import java.nio.file.Path;

/**
 * A JVM that runs the model on ONNX Runtime on {@code threads} threads, each in a loop, until it is stopped from
 * outside: what a TaskManager's slots do when the TaskManager gets SIGTERM. Prints "running" once every thread has
 * finished a run. Used by {@link ShutdownWhileRunningTest} as a child process.
 */
public final class RunsUntilStopped {
    private RunsUntilStopped() {}

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        int threads = Integer.parseInt(args[1]);
        int batch = Integer.parseInt(args[2]);
        InferenceEngine engine = Engines.open(EngineSpec.onnxRuntime(model, batch));
        java.util.concurrent.CountDownLatch ran = new java.util.concurrent.CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            Thread thread = new Thread(() -> {
                try (EngineSession session = engine.openSession(); InputBatch input = session.newInputBatch()) {
                    boolean first = true;
                    while (true) {
                        session.run(input, batch);
                        if (first) {
                            ran.countDown();
                            first = false;
                        }
                    }
                } catch (RuntimeException e) {
                    System.out.println("run ended: " + e.getMessage());
                }
            }, "runner-" + t);
            thread.setDaemon(true); // as the micro-batcher's threads are: they do not hold the JVM up
            thread.start();
        }
        ran.await();
        System.out.println("running");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
