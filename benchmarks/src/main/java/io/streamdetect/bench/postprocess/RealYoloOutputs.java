package io.streamdetect.bench.postprocess;

import io.streamdetect.decode.DecodeLimits;
import io.streamdetect.decode.DecodedImage;
import io.streamdetect.decode.ImageDecoder;
import io.streamdetect.engine.EngineInfo;
import io.streamdetect.engine.EngineSession;
import io.streamdetect.engine.EngineSpec;
import io.streamdetect.engine.Engines;
import io.streamdetect.engine.InferenceEngine;
import io.streamdetect.engine.InputBatch;
import io.streamdetect.model.ModelMetadata;
import io.streamdetect.preprocess.Letterbox;
import io.streamdetect.preprocess.LetterboxPreprocessor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A model's raw output for a folder of real images, run once on ONNX Runtime and kept on the heap: what the YOLO
 * decoders are benchmarked and compared on.
 *
 * @param output     the batch output, one image per slot
 * @param letterboxes per slot, how its image was letterboxed
 */
public record RealYoloOutputs(FloatBuffer output, List<Letterbox> letterboxes, EngineInfo info,
                              ModelMetadata metadata) {

    /** Runs {@code model} (a classic head) on every JPEG under {@code images}, in one batch. */
    public static RealYoloOutputs of(Path model, Path images) {
        List<Path> files = jpegs(images);
        try (InferenceEngine engine = Engines.open(EngineSpec.onnxRuntime(model, files.size()));
             EngineSession session = engine.openSession();
             InputBatch input = session.newInputBatch()) {
            EngineInfo info = session.info();
            ImageDecoder decoder = new ImageDecoder(DecodeLimits.DEFAULT);
            LetterboxPreprocessor letterbox = new LetterboxPreprocessor(info.inputWidth(), info.inputHeight());
            List<Letterbox> boxes = new ArrayList<>();
            for (int slot = 0; slot < files.size(); slot++) {
                try (DecodedImage image = decoder.decode(Files.readAllBytes(files.get(slot)))) {
                    boxes.add(letterbox.process(image, input.floats(), slot));
                }
            }
            FloatBuffer raw = session.run(input, files.size());
            float[] copy = new float[files.size() * info.outputRows() * info.outputAnchors()];
            raw.get(0, copy);
            return new RealYoloOutputs(FloatBuffer.wrap(copy), List.copyOf(boxes), info, engine.model().metadata());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int images() {
        return letterboxes.size();
    }

    private static List<Path> jpegs(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".jpg")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
