package io.streamdetect.cli;

import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;

import io.streamdetect.cuda.Cuda;
import io.streamdetect.engine.EngineSession;
import io.streamdetect.engine.InferenceEngine;
import io.streamdetect.engine.InputBatch;
import io.streamdetect.predict.Predictor;
import io.streamdetect.predict.PredictorConfig;
import io.streamdetect.predict.PreparedImage;
import io.streamdetect.preprocess.Preprocessing;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.cuda.cudart.CUstream_st;

/**
 * End-to-end throughput of one engine, side by side: the engine's compute alone, and encoded images in →
 * detections out with pre-processing on the CPU or the GPU. Each of {@code streams} threads holds its own
 * session (as each Flink task slot does), so copies, decoding and inference of different streams overlap on the
 * GPU as they do in a job; the compute-only baseline runs the same number of streams.
 */
final class PipelineBench {
    private final InferenceEngine engine;
    private final List<byte[]> images;
    private final int streams;
    private final double seconds;

    PipelineBench(InferenceEngine engine, List<byte[]> images, int streams, double seconds) {
        this.engine = engine;
        this.images = images;
        this.streams = streams;
        this.seconds = seconds;
    }

    /** Images/s of {@code runComputeOnly} at {@code batch}, summed over the streams. */
    double computeOnly(int batch) throws Exception {
        return measure(stream -> {
            EngineSession session = engine.openSession();
            InputBatch input = session.newInputBatch();
            return new Loop() {
                @Override
                public int runOnce() {
                    session.runComputeOnly(input, batch);
                    return batch;
                }

                @Override
                public void close() {
                    input.close();
                    session.close();
                }
            };
        });
    }

    /**
     * Images/s of GPU pre-processing alone (header checks, nvJPEG, letterbox into the engine's input), no
     * inference: tells whether the decoder or the engine bounds the end-to-end figure.
     */
    double gpuPreprocessingOnly(int batch, PredictorConfig config) throws Exception {
        return measure(stream -> {
            Predictor predictor = new Predictor(engine, config.withPreprocessing(Preprocessing.GPU));
            InputBatch input = predictor.newInputBatch();
            CUstream_st cudaStream = predictor.session().deviceInput().orElseThrow().stream();
            List<PreparedImage> prepared = new ArrayList<>(batch);
            int[] next = {stream * 7};
            return new Loop() {
                @Override
                public int runOnce() {
                    prepared.clear();
                    for (int slot = 0; slot < batch; slot++) {
                        prepared.add(predictor.prepare(images.get(next[0]++ % images.size()), input, slot));
                    }
                    predictor.preprocessOnGpu(input, prepared, batch);
                    Cuda.check(cudaStreamSynchronize(cudaStream), "cudaStreamSynchronize");
                    return batch;
                }

                @Override
                public void close() {
                    input.close();
                    predictor.close();
                }
            };
        });
    }

    /** Images/s from encoded bytes to detections, with pre-processing {@code where}, summed over the streams. */
    double endToEnd(int batch, PredictorConfig config, Preprocessing where) throws Exception {
        return measure(stream -> {
            Predictor predictor = new Predictor(engine, config.withPreprocessing(where));
            InputBatch input = predictor.newInputBatch();
            List<PreparedImage> prepared = new ArrayList<>(batch);
            int[] next = {stream * 7}; // streams start at different images
            return new Loop() {
                @Override
                public int runOnce() {
                    prepared.clear();
                    for (int slot = 0; slot < batch; slot++) {
                        prepared.add(predictor.prepare(images.get(next[0]++ % images.size()), input, slot));
                    }
                    var output = predictor.infer(input, prepared, batch);
                    int objects = 0;
                    for (int slot = 0; slot < batch; slot++) {
                        objects += predictor.postprocess(output, slot, prepared.get(slot)).size();
                    }
                    return objects >= 0 ? batch : 0;
                }

                @Override
                public void close() {
                    input.close();
                    predictor.close();
                }
            };
        });
    }

    private interface Loop extends AutoCloseable {
        int runOnce();

        @Override
        void close();
    }

    private interface LoopFactory {
        Loop open(int stream);
    }

    /** Opens a loop per stream, warms each up, then runs them all together for {@code seconds}. */
    private double measure(LoopFactory factory) throws Exception {
        AtomicLong images = new AtomicLong();
        long budget = (long) (seconds * 1e9);
        CyclicBarrier ready = new CyclicBarrier(streams + 1);
        CyclicBarrier done = new CyclicBarrier(streams + 1);
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        long[] window = new long[2];
        List<Thread> threads = new ArrayList<>();
        for (int s = 0; s < streams; s++) {
            int stream = s;
            Thread t = new Thread(() -> {
                try (Loop loop = factory.open(stream)) {
                    for (int i = 0; i < 3; i++) {
                        loop.runOnce(); // warm-up: first runs allocate and tune
                    }
                    ready.await();
                    long start = System.nanoTime();
                    while (System.nanoTime() - start < budget) {
                        images.addAndGet(loop.runOnce());
                    }
                } catch (Throwable e) {
                    errors.add(e);
                    ready.reset();
                } finally {
                    try {
                        done.await();
                    } catch (Exception ignored) {
                        // the measurement failed already
                    }
                }
            }, "bench-stream-" + s);
            threads.add(t);
            t.start();
        }
        try {
            ready.await();
        } catch (java.util.concurrent.BrokenBarrierException e) {
            // a stream failed to start: reported below
        }
        window[0] = System.nanoTime();
        try {
            done.await();
        } catch (java.util.concurrent.BrokenBarrierException e) {
            // reported below
        }
        window[1] = System.nanoTime();
        for (Thread t : threads) {
            t.join();
        }
        if (!errors.isEmpty()) {
            throw new IllegalStateException("a benchmark stream failed: " + errors.get(0).getMessage(), errors.get(0));
        }
        return images.get() / ((window[1] - window[0]) / 1e9);
    }
}
