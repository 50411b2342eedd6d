package io.streamdetect.engine.onnxruntime;

import io.streamdetect.engine.EngineSpec;
import io.streamdetect.engine.Engines;
import io.streamdetect.engine.InferenceEngine;
import io.streamdetect.predict.Predictor;
import io.streamdetect.predict.PredictorConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * A JVM that predicts on ONNX Runtime on {@code threads} threads, each in a loop over batches of {@code batch}
 * copies of an image (OpenCV decode, letterbox, the engine, NMS: what a slot does), until it is stopped from outside,
 * as a TaskManager is by SIGTERM. Prints "running" once every thread has finished a batch. Used by
 * {@link ShutdownWhileRunningTest} as a child process. Arguments: model, image, threads, batch.
 */
public final class RunsUntilStopped {
    private RunsUntilStopped() {}

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        byte[] image = Files.readAllBytes(Path.of(args[1]));
        int threads = Integer.parseInt(args[2]);
        int batch = Integer.parseInt(args[3]);
        InferenceEngine engine = Engines.open(EngineSpec.onnxRuntime(model, batch));
        List<byte[]> images = Collections.nCopies(batch, image);
        CountDownLatch ran = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            Thread thread = new Thread(() -> {
                try (Predictor predictor = new Predictor(engine, PredictorConfig.DEFAULT)) {
                    boolean first = true;
                    while (true) {
                        predictor.predict(images);
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
