package io.streamdetect.predict;

import io.streamdetect.PipelineException;
import io.streamdetect.Stage;
import io.streamdetect.TimedCount;
import io.streamdetect.cuda.Cuda;
import io.streamdetect.decode.DecodedImage;
import io.streamdetect.decode.ImageDecoder;
import io.streamdetect.decode.ImageFormat;
import io.streamdetect.decode.ImageHeader;
import io.streamdetect.engine.DeviceBatch;
import io.streamdetect.engine.DeviceInput;
import io.streamdetect.engine.EngineException;
import io.streamdetect.engine.EngineInfo;
import io.streamdetect.engine.EngineSession;
import io.streamdetect.engine.InferenceEngine;
import io.streamdetect.engine.InputBatch;
import io.streamdetect.postprocess.DetectedObject;
import io.streamdetect.postprocess.DetectionDecoder;
import io.streamdetect.preprocess.Letterbox;
import io.streamdetect.preprocess.LetterboxPreprocessor;
import io.streamdetect.preprocess.Preprocessing;
import io.streamdetect.preprocess.PreprocessingChoice;
import io.streamdetect.preprocess.gpu.GpuPreprocessor;
import io.streamdetect.preprocess.gpu.JpegGpuSupport;
import io.streamdetect.records.ErrorKind;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole path from encoded image bytes to detections for one thread: decode → letterbox → engine →
 * YOLO decode + NMS. Holds one {@link EngineSession} and the per-thread scratch of each stage; the engine
 * itself may be shared. Not thread-safe, except {@link #prepare} and {@link #postprocess}.
 *
 * <p>{@link #predict} is the simple API. The streaming operator uses the stage methods ({@link #prepare},
 * {@link #infer}, {@link #postprocess}) to overlap pre-processing of one batch with inference of another.
 */
public final class Predictor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Predictor.class);

    private final InferenceEngine engine;
    private final EngineSession session;
    private final ImageDecoder decoder;
    private final int inputWidth;
    private final int inputHeight;
    private final DetectionDecoder outputDecoder;
    private final GpuPreprocessor gpu; // null: pre-processing on the CPU
    private final DeviceInput deviceInput; // null: pre-processing on the CPU
    private final PreprocessingChoice preprocessingChoice;
    private final Map<InputBatch, GpuBatch> gpuBatches = new IdentityHashMap<>();
    private PipelineException[] slotFailures = new PipelineException[0];
    private InputBatch input; // for predict(); allocated on first use

    /**
     * @throws IllegalArgumentException when GPU pre-processing is asked for on an engine without GPU input
     *                                  (ONNX Runtime)
     */
    public Predictor(InferenceEngine engine, PredictorConfig config) {
        this.engine = engine;
        this.session = engine.openSession();
        EngineInfo info = session.info();
        this.decoder = new ImageDecoder(config.limits());
        this.inputWidth = info.inputWidth();
        this.inputHeight = info.inputHeight();
        try {
            this.outputDecoder = DetectionDecoder.of(info, engine.model().metadata(), config.postprocess());
            this.preprocessingChoice = PreprocessingChoice.resolve(config.preprocessing(), info.backend().label(),
                    session.deviceInput().isPresent(), GpuPreprocessor::nvJpegLoads);
            this.deviceInput = preprocessingChoice.chosen() == Preprocessing.GPU ? deviceInput(session, info) : null;
            this.gpu = deviceInput == null ? null : new GpuPreprocessor(deviceInput.cudaDevice(), info.inputWidth(),
                    info.inputHeight(), info.maxBatch(), decoder);
        } catch (RuntimeException | Error e) { // an Error too (NVRTC missing, JavaCPP out of memory): ours to close
            session.close();
            throw e;
        }
        if (config.preprocessing() == Preprocessing.AUTO) {
            LOG.info("pre-processing {}", preprocessingChoice.describe());
        }
    }

    private static DeviceInput deviceInput(EngineSession session, EngineInfo info) {
        return session.deviceInput().orElseThrow(() -> new IllegalArgumentException(
                "GPU pre-processing needs the TensorRT backend on a GPU, but this engine is "
                        + info.backend().label() + ": use --backend tensorrt, or --preprocess cpu"));
    }

    /** Where this predictor decodes and letterboxes. */
    public Preprocessing preprocessing() {
        return gpu == null ? Preprocessing.CPU : Preprocessing.GPU;
    }

    /** Where this predictor pre-processes and why (how {@code auto} was resolved). */
    public PreprocessingChoice preprocessingChoice() {
        return preprocessingChoice;
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
        List<PreparedImage> slotImages = new ArrayList<>(images.size());
        Prediction[] results = new Prediction[images.size()];
        int[] slotOf = new int[images.size()];
        int slots = 0;
        for (int i = 0; i < images.size(); i++) {
            try {
                prepared[i] = prepare(images.get(i), input, slots);
                slotImages.add(prepared[i]);
                slotOf[i] = slots++;
            } catch (PipelineException e) {
                results[i] = Prediction.failed(e);
            }
        }
        if (slots > 0) {
            long start = System.nanoTime();
            FloatBuffer output;
            try {
                output = infer(input, slotImages, slots);
            } catch (PipelineException e) {
                for (int i = 0; i < images.size(); i++) {
                    results[i] = results[i] == null ? Prediction.failed(e) : results[i];
                }
                return List.of(results);
            }
            long inferenceNanos = System.nanoTime() - start;
            for (int i = 0; i < images.size(); i++) {
                if (results[i] == null && failure(slotOf[i]) != null) {
                    results[i] = Prediction.failed(failure(slotOf[i]));
                } else if (results[i] == null) {
                    PreparedImage p = prepared[i];
                    results[i] = new Prediction(p.width(), p.height(), postprocess(output, slotOf[i], p), null,
                            p.preprocessNanos(), inferenceNanos, slots);
                }
            }
        }
        return List.of(results);
    }

    /**
     * True when {@link #prepare} only checks {@code bytes} on the host, because the GPU decodes them: a JPEG the GPU
     * path takes, with GPU pre-processing. That check (header, limits) takes about a microsecond, so handing it to
     * another thread costs more than it saves. False for anything else, including bytes {@link #prepare} would
     * refuse: it reports why. Never throws; safe from any thread.
     */
    public boolean decodesOnGpu(byte[] bytes) {
        if (gpu == null) {
            return false;
        }
        try {
            return gpuLetterbox(bytes) != null;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** With GPU pre-processing: the letterbox of a JPEG the GPU decodes, or null when the CPU must decode it. */
    private Letterbox gpuLetterbox(byte[] bytes) {
        ImageHeader header = decoder.inspect(bytes);
        if (header.format() == ImageFormat.JPEG && JpegGpuSupport.cpuReason(bytes) == null) {
            return Letterbox.of(header.width(), header.height(), inputWidth, inputHeight);
        }
        return null;
    }

    /**
     * Decodes and letterboxes one image into {@code slot} of {@code batch}. With GPU pre-processing, a JPEG the
     * GPU takes is only checked here (header, limits) and decoded by {@link #infer}. Unlike the rest of this class,
     * safe to call from several threads at once for different slots (MicroBatcher's decode pool does).
     */
    public PreparedImage prepare(byte[] bytes, InputBatch batch, int slot) {
        long start = System.nanoTime();
        if (gpu != null) {
            Letterbox box = gpuLetterbox(bytes);
            if (box != null) {
                return new PreparedImage(box, System.nanoTime() - start, bytes);
            }
        }
        try (DecodedImage image = decoder.decode(bytes)) {
            try {
                var letterbox = LetterboxPreprocessor.forCurrentThread(inputWidth, inputHeight)
                        .process(image, batch.floats(), slot);
                return new PreparedImage(letterbox, System.nanoTime() - start);
            } catch (RuntimeException e) {
                throw new PipelineException(ErrorKind.DECODE_FAILED, Stage.PREPROCESS,
                        "cannot letterbox a " + image.width() + "x" + image.height() + " image: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Runs the engine on the first {@code count} slots, {@code prepared} being what {@link #prepare} returned for
     * them; with GPU pre-processing this is where their JPEGs are decoded. The result is valid until the next
     * call; check {@link #failure} for each slot before post-processing it.
     */
    public FloatBuffer infer(InputBatch batch, List<PreparedImage> prepared, int count) {
        try {
            if (gpu == null) {
                slotFailures = new PipelineException[count];
                return session.run(batch, count);
            }
            GpuBatch twin = gpuBatch(batch);
            PipelineException[] failures = twin.takeUploadFailures();
            if (failures == null) { // not uploaded ahead: predict(), or a caller without a prepare thread
                uploadToGpu(batch, prepared, count);
                failures = twin.takeUploadFailures();
            }
            slotFailures = failures;
            return deviceInput.runOnDevice(twin.input, count);
        } catch (EngineException e) {
            throw new PipelineException(ErrorKind.INFERENCE_FAILED, Stage.ENGINE, e.getMessage(), e);
        }
    }

    /**
     * GPU pre-processing of a batch ahead of {@link #infer}: decodes and letterboxes the first {@code count} slots
     * into the batch's twin in GPU memory (JPEGs decoded there, the rest copied from {@code batch}) and returns
     * when that is done; the next {@code infer} of {@code batch} then only runs the engine. Called from another
     * thread than {@code infer}, this decodes the next batch while the current one runs: {@link
     * io.streamdetect.batching.MicroBatcher} does that. Benchmarks call it alone to time pre-processing.
     *
     * @throws IllegalStateException when this predictor pre-processes on the CPU
     */
    public void uploadToGpu(InputBatch batch, List<PreparedImage> prepared, int count) {
        if (gpu == null) {
            throw new IllegalStateException("this predictor pre-processes on the CPU");
        }
        List<GpuPreprocessor.Slot> slots = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            slots.add(new GpuPreprocessor.Slot(prepared.get(i).gpuJpeg(), prepared.get(i).letterbox()));
        }
        GpuBatch twin = gpuBatch(batch);
        synchronized (gpu) { // one upload at a time: the decoder's buffers are reused
            twin.uploadFailures = gpu.upload(batch, slots, count, twin.input);
        }
    }

    private GpuBatch gpuBatch(InputBatch batch) {
        synchronized (gpuBatches) {
            return gpuBatches.computeIfAbsent(batch, b -> new GpuBatch(deviceInput.newDeviceBatch()));
        }
    }

    /**
     * A host input batch's twin in GPU memory, and the per-slot failures of its last upload until a run takes
     * them. Written by the thread that uploads, read by the one that runs (MicroBatcher's two threads).
     */
    private static final class GpuBatch {
        final DeviceBatch input;
        volatile PipelineException[] uploadFailures; // null: not uploaded since its last run

        GpuBatch(DeviceBatch input) {
            this.input = input;
        }

        PipelineException[] takeUploadFailures() {
            PipelineException[] taken = uploadFailures;
            uploadFailures = null;
            return taken;
        }
    }

    /**
     * GPU pre-processing: how often nvJPEG's batched decoder was set up again for a batch of another size, and the
     * time that took ({@link TimedCount#NONE} on the CPU). Safe from any thread.
     */
    public TimedCount nvJpegInitializations() {
        return gpu == null ? TimedCount.NONE : gpu.decoderInitializations();
    }

    /**
     * Why slot {@code slot} of the last {@link #infer} has no result: an image whose JPEG the GPU rejected and the
     * CPU could not decode either. Null for every other slot.
     */
    public PipelineException failure(int slot) {
        return slot < slotFailures.length ? slotFailures[slot] : null;
    }

    /** Safe to call from several threads at once for different slots of one output (MicroBatcher does). */
    public List<DetectedObject> postprocess(FloatBuffer output, int slot, PreparedImage image) {
        return outputDecoder.decode(output, slot, image.letterbox());
    }

    /**
     * GPU memory this predictor holds: its engine session's (activations, buffers) and GPU pre-processing's input
     * batches; not nvJPEG's own pools, which it sizes itself. 0 on the CPU.
     */
    public long deviceMemoryBytes() {
        long bytes = session.deviceMemoryBytes();
        synchronized (gpuBatches) {
            for (GpuBatch twin : gpuBatches.values()) {
                bytes += twin.input.capacity() * twin.input.imageBytes();
            }
        }
        return bytes;
    }

    /**
     * Takes the engine's first-use costs (CUDA graph captures) for every run of up to {@code largestBatch} images
     * that {@code buffers} will feed, before serving: with GPU pre-processing each buffer has its own twin in GPU
     * memory, and graphs are per input address.
     * Minutes of serving would otherwise meet them one by one, each a few ms in some images' latency. Call before
     * handing the buffers to other threads.
     */
    public void warmUp(List<InputBatch> buffers, int largestBatch) {
        if (gpu == null) {
            session.warmUp(largestBatch);
            return;
        }
        for (InputBatch buffer : buffers) {
            deviceInput.warmUp(gpuBatch(buffer).input, largestBatch);
        }
    }

    /** A second input buffer for overlapping pre-processing with inference; the caller closes it. */
    public InputBatch newInputBatch() {
        return session.newInputBatch();
    }

    /** Closes this predictor's session and buffers, not the engine, which may be shared. */
    @Override
    public void close() {
        if (deviceInput != null) { // close may run on another thread than the one that opened (MicroBatcher's)
            Cuda.setDevice(deviceInput.cudaDevice());
        }
        if (gpu != null) {
            gpu.close();
        }
        gpuBatches.values().forEach(twin -> twin.input.close());
        if (input != null) {
            input.close();
        }
        session.close();
    }
}
