package io.streamdetect.batching;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.engine.EngineInfo;
import io.streamdetect.engine.EngineException;
import io.streamdetect.engine.EngineSession;
import io.streamdetect.engine.EngineSpec;
import io.streamdetect.engine.Engines;
import io.streamdetect.engine.InferenceEngine;
import io.streamdetect.engine.InputBatch;
import io.streamdetect.model.OnnxModelFile;
import io.streamdetect.predict.Prediction;
import io.streamdetect.predict.Predictor;
import io.streamdetect.predict.PredictorConfig;
import io.streamdetect.records.ErrorKind;
import io.streamdetect.testing.ReferenceDetections;
import io.streamdetect.testing.SharedFiles;
import io.streamdetect.testing.TestImages;
import java.nio.FloatBuffer;
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
    static final class Recorder implements BatchListener<String> {
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
             // a long delay: only the size limit can close these batches early
             MicroBatcher<String> batcher = new MicroBatcher<>(predictor, new BatchingConfig(4, Duration.ofSeconds(2)),
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
             MicroBatcher<String> batcher = new MicroBatcher<>(predictor, new BatchingConfig(4, Duration.ofMillis(50)),
                     recorder, "test")) {
            batcher.submit(TestImages.bus(), "a");
            batcher.submit(TestImages.bus(), "b");
            recorder.await();
        }
        assertThat(recorder.batchSizes).containsExactly(2);
        assertThat(recorder.completed.get("a").batchSize()).isEqualTo(2);
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
        try (InferenceEngine failing = new FailingEngine(ORT.engine());
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

    /** The real engine, except that every run fails as a lost GPU would. */
    private record FailingEngine(InferenceEngine delegate) implements InferenceEngine {
        @Override
        public EngineInfo info() {
            return delegate.info();
        }

        @Override
        public OnnxModelFile model() {
            return delegate.model();
        }

        @Override
        public EngineSession openSession() {
            EngineSession real = delegate.openSession();
            return new EngineSession() {
                @Override
                public EngineInfo info() {
                    return real.info();
                }

                @Override
                public InputBatch newInputBatch() {
                    return real.newInputBatch();
                }

                @Override
                public FloatBuffer run(InputBatch input, int batchSize) {
                    throw new EngineException("device lost");
                }

                @Override
                public void close() {
                    real.close();
                }
            };
        }

        @Override
        public void close() {
            // the shared engine is closed by the test class
        }
    }
}
