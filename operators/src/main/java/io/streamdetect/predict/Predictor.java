package io.streamdetect.predict;

import io.streamdetect.PipelineException;
import io.streamdetect.Stage;
import io.streamdetect.decode.DecodedImage;
import io.streamdetect.decode.ImageDecoder;
import io.streamdetect.engine.EngineException;
import io.streamdetect.engine.EngineInfo;
import io.streamdetect.engine.EngineSession;
import io.streamdetect.engine.InferenceEngine;
import io.streamdetect.engine.InputBatch;
import io.streamdetect.postprocess.DetectedObject;
import io.streamdetect.postprocess.YoloOutputDecoder;
import io.streamdetect.preprocess.LetterboxPreprocessor;
import io.streamdetect.records.ErrorKind;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The whole path from encoded image bytes to detections for one thread: decode → letterbox → engine →
 * YOLO decode + NMS. Holds one {@link EngineSession} and the per-thread scratch of each stage; the engine
 * itself may be shared. Not thread-safe.
 *
 * <p>{@link #predict} is the simple API. The streaming operator uses the stage methods ({@link #prepare},
 * {@link #infer}, {@link #postprocess}) to overlap pre-processing of one batch with inference of another.
 */
public final class Predictor implements AutoCloseable {
    private final InferenceEngine engine;
    private final EngineSession session;
    private final ImageDecoder decoder;
    private final LetterboxPreprocessor preprocessor;
    private final YoloOutputDecoder outputDecoder;
    private InputBatch input; // for predict(); allocated on first use

    public Predictor(InferenceEngine engine, PredictorConfig config) {
        this.engine = engine;
        this.session = engine.openSession();
        EngineInfo info = session.info();
        this.decoder = new ImageDecoder(config.limits());
        this.preprocessor = new LetterboxPreprocessor(info.inputWidth(), info.inputHeight());
        this.outputDecoder = new YoloOutputDecoder(info.outputRows(), info.outputAnchors(),
                engine.model().metadata(), config.postprocess());
    }

    public InferenceEngine engine() {
        return engine;
    }

    public EngineSession session() {
        return session;
    }

    public int maxBatch() {
        return session.info().maxBatch();
    }

    /** Runs detection on each image, in batches of at most {@link #maxBatch()}; failures are per image. */
    public List<Prediction> predict(List<byte[]> images) {
        List<Prediction> results = new ArrayList<>(images.size());
        for (int start = 0; start < images.size(); start += maxBatch()) {
            results.addAll(predictBatch(images.subList(start, Math.min(images.size(), start + maxBatch()))));
        }
        return results;
    }

    private List<Prediction> predictBatch(List<byte[]> images) {
        if (input == null) {
            input = session.newInputBatch();
        }
        PreparedImage[] prepared = new PreparedImage[images.size()];
        Prediction[] results = new Prediction[images.size()];
        int[] slotOf = new int[images.size()];
        int slots = 0;
        for (int i = 0; i < images.size(); i++) {
            try {
                prepared[i] = prepare(images.get(i), input, slots);
                slotOf[i] = slots++;
            } catch (PipelineException e) {
                results[i] = Prediction.failed(e);
            }
        }
        if (slots > 0) {
            long start = System.nanoTime();
            FloatBuffer output;
            try {
                output = infer(input, slots);
            } catch (PipelineException e) {
                for (int i = 0; i < images.size(); i++) {
                    results[i] = results[i] == null ? Prediction.failed(e) : results[i];
                }
                return List.of(results);
            }
            long inferenceNanos = System.nanoTime() - start;
            for (int i = 0; i < images.size(); i++) {
                if (results[i] == null) {
                    PreparedImage p = prepared[i];
                    results[i] = new Prediction(p.width(), p.height(), postprocess(output, slotOf[i], p), null,
                            p.preprocessNanos(), inferenceNanos, slots);
                }
            }
        }
        return List.of(results);
    }

    /** Decodes and letterboxes one image into {@code slot} of {@code batch}. */
    public PreparedImage prepare(byte[] bytes, InputBatch batch, int slot) {
        long start = System.nanoTime();
        try (DecodedImage image = decoder.decode(bytes)) {
            try {
                var letterbox = preprocessor.process(image, batch.floats(), slot);
                return new PreparedImage(letterbox, System.nanoTime() - start);
            } catch (RuntimeException e) {
                throw new PipelineException(ErrorKind.DECODE_FAILED, Stage.PREPROCESS,
                        "cannot letterbox a " + image.width() + "x" + image.height() + " image: " + e.getMessage(), e);
            }
        }
    }

    /** Runs the engine on the first {@code count} slots; the result is valid until the next call. */
    public FloatBuffer infer(InputBatch batch, int count) {
        try {
            return session.run(batch, count);
        } catch (EngineException e) {
            throw new PipelineException(ErrorKind.INFERENCE_FAILED, Stage.ENGINE, e.getMessage(), e);
        }
    }

    public List<DetectedObject> postprocess(FloatBuffer output, int slot, PreparedImage image) {
        return outputDecoder.decode(output, slot, image.letterbox());
    }

    /** A second input buffer for overlapping pre-processing with inference; the caller closes it. */
    public InputBatch newInputBatch() {
        return session.newInputBatch();
    }

    /** Closes this predictor's session and buffers, not the engine, which may be shared. */
    @Override
    public void close() {
        if (input != null) {
            input.close();
        }
        session.close();
    }
}
