package io.streamdetect.flink;

import io.streamdetect.batching.BatchWait;
import io.streamdetect.batching.BatchingConfig;
import io.streamdetect.decode.DecodeLimits;
import io.streamdetect.engine.Backend;
import io.streamdetect.engine.Precision;
import io.streamdetect.postprocess.NmsPlacement;
import io.streamdetect.postprocess.PostprocessConfig;
import io.streamdetect.preprocess.Preprocessing;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.util.TimeUtils;

/**
 * The detection operator's settings as typed Flink options, one set for every way of running it: the streaming
 * and batch jobs' settings ({@code stream}, {@code reprocess}) and the options of a SQL {@code CREATE MODEL ...
 * WITH ('provider' = 'streamdetect', ...)}. {@link #builder} turns them into a {@link DetectionOperator.Builder},
 * and every value that is wrong fails naming its key.
 */
public final class DetectionOptions {
    public static final ConfigOption<String> MODEL = ConfigOptions.key("model")
            .stringType().noDefaultValue().withDescription("Path of the YOLO .onnx model on every TaskManager.");
    public static final ConfigOption<String> BACKEND = ConfigOptions.key("backend")
            .stringType().defaultValue("auto").withDescription("auto, onnxruntime or tensorrt.");
    public static final ConfigOption<String> PRECISION = ConfigOptions.key("precision")
            .stringType().defaultValue("fp32").withDescription("fp32, fp16 or int8 (TensorRT).");
    public static final ConfigOption<String> PREPROCESS = ConfigOptions.key("preprocess")
            .stringType().defaultValue("auto").withDescription("auto, cpu or gpu: decode and letterbox with OpenCV, or with "
                    + "nvJPEG and a CUDA kernel straight into the engine's input (TensorRT only; images the GPU path "
                    + "does not take, e.g. PNG or progressive JPEG, use the CPU). auto: gpu where the slot's engine is "
                    + "TensorRT and nvJPEG loads, else cpu; each slot logs which it chose and why.");
    public static final ConfigOption<String> NMS = ConfigOptions.key("nms")
            .stringType().defaultValue("auto").withDescription("auto, host or engine: NMS in Java, or built into the "
                    + "TensorRT plan with confidence, iou and max-detections, so only detections leave the GPU. auto: "
                    + "engine where the slot's engine is TensorRT and the model has a classic head (YOLOv8/YOLO11), "
                    + "else host; each slot logs which it chose and why.");
    public static final ConfigOption<Integer> MAX_BATCH_SIZE = ConfigOptions.key("batch.max-size")
            .intType().defaultValue(8).withDescription("Largest micro-batch per task slot.");
    public static final ConfigOption<Duration> MAX_BATCH_DELAY = ConfigOptions.key("batch.max-delay")
            .durationType().defaultValue(Duration.ofMillis(5))
            .withDescription("Longest an image waits for its micro-batch to fill (see batch.wait).");
    public static final ConfigOption<String> BATCH_WAIT = ConfigOptions.key("batch.wait")
            .stringType().defaultValue(BatchWait.ADAPTIVE.label())
            .withDescription("adaptive or fixed: when a micro-batch that is not full closes. adaptive: at once when the "
                    + "engine is idle (no batch running or ready), so a lone image never waits for company; while a "
                    + "batch runs, up to batch.max-delay, gathering the next batch (full under load). fixed: "
                    + "batch.max-delay after its first image, also when the engine is idle.");
    public static final ConfigOption<Duration> GPU_DECODE_HOLD = ConfigOptions.key("batch.gpu-decode-hold")
            .durationType().defaultValue(BatchingConfig.DEFAULT_GPU_DECODE_HOLD)
            .withDescription("With GPU pre-processing: how long a batch's launch waits for the next batch's nvJPEG "
                    + "decode to be submitted first (while that batch gathers, or decodes for less than this; at most "
                    + "twice this), so that decoding overlaps inference (nvJPEG waits for the GPU work submitted before "
                    + "it). Only when the next batch will be full: at low load nothing is held. 0 ms launches at once; "
                    + "up to 10 ms.");
    public static final ConfigOption<Duration> IDLE_SPIN = ConfigOptions.key("batch.idle-spin")
            .durationType().defaultValue(Duration.ZERO)
            .withDescription("How long each slot's prepare thread busy-polls for the next image after a batch before it "
                    + "parks. A lone image skips the thread's wake-up (on an H200, three slots on a batch-1 plan at "
                    + "10% load: p99 1.75-1.81 ms against 1.85-1.99 ms), for up to a core per slot kept busy while "
                    + "images come at least this often. 0 ms (the default) parks at once; up to 1 s.");
    public static final ConfigOption<Integer> INTRA_OP_THREADS = ConfigOptions.key("onnxruntime.threads")
            .intType().defaultValue(0).withDescription("ONNX Runtime threads per inference call; 0 = all cores.");
    public static final ConfigOption<Float> CONFIDENCE = ConfigOptions.key("confidence")
            .floatType().defaultValue(0.25f).withDescription("Minimum detection confidence.");
    public static final ConfigOption<Float> IOU = ConfigOptions.key("iou")
            .floatType().defaultValue(0.7f).withDescription("Class-wise NMS IoU threshold.");
    public static final ConfigOption<Integer> MAX_DETECTIONS = ConfigOptions.key("max-detections")
            .intType().defaultValue(300).withDescription("Most detections per image.");
    public static final ConfigOption<Long> MAX_BYTES = ConfigOptions.key("decode.max-bytes")
            .longType().defaultValue(DecodeLimits.DEFAULT.maxBytes())
            .withDescription("Larger encoded images fail as IMAGE_TOO_LARGE.");
    public static final ConfigOption<Long> MAX_PIXELS = ConfigOptions.key("decode.max-pixels")
            .longType().defaultValue(DecodeLimits.DEFAULT.maxPixels())
            .withDescription("Images with more pixels (from the header, before decoding) fail as IMAGE_TOO_LARGE.");
    public static final ConfigOption<Duration> TIMEOUT = ConfigOptions.key("timeout")
            .durationType().defaultValue(Duration.ofSeconds(30))
            .withDescription("An image whose own decode is still running after this, and has run for half of it, "
                    + "fails as TIMEOUT (a dead letter); "
                    + "an image late because the engine is stuck (one batch running this long) or failed fails the job "
                    + "instead, which restarts and processes it again; an image waiting its turn behind others while "
                    + "batches keep finishing (capacity larger than the slot detects in this time) waits on, and is "
                    + "counted in the timeoutsWhileBehind metric.");
    public static final ConfigOption<Integer> DECODE_THREADS = ConfigOptions.key("decode.threads")
            .intType().defaultValue(0).withDescription("Threads of the TaskManager's shared CPU decode pool that decode "
                    + "a batch's images in parallel. 0 = automatic: every core beside TensorRT, none beside ONNX "
                    + "Runtime (which uses every core itself); 1 = each slot decodes on its own prepare thread.");
    public static final ConfigOption<String> TENSORRT_PROFILES = ConfigOptions.key("tensorrt.profiles")
            .stringType().defaultValue(io.streamdetect.engine.EngineSpec.DEFAULT_PROFILES)
            .withDescription("Optimisation profiles of the TensorRT plan besides 1..batch.max-size, each tuned for its "
                    + "largest batch, so small batches (a quiet stream) run kernels picked for them: auto (batch 1 and "
                    + "8), none, or batch sizes such as 1,4,16. Each run takes the smallest profile that holds its "
                    + "batch. Part of the plan's key: `export --profiles` must match.");
    public static final ConfigOption<Boolean> CUDA_GRAPHS = ConfigOptions.key("tensorrt.cuda-graphs")
            .booleanType().defaultValue(true)
            .withDescription("Replay each TensorRT launch of up to 16 images as a CUDA graph (one call instead of "
                    + "~100 kernel launches), captured when the slot opens; plans with NMS in them too (the "
                    + "TaskManagers' JVM property -Dstreamdetect.tensorrt.cuda-graphs.nms=false, e.g. in "
                    + "env.java.opts.taskmanager, turns it off for those only). A "
                    + "session whose capture fails logs why and launches kernels one by one.");
    public static final ConfigOption<String> GPU_RESOURCE = ConfigOptions.key("gpu.resource")
            .stringType().defaultValue(DetectionSettings.DEFAULT_GPU_RESOURCE)
            .withDescription("Name of the Flink external resource listing a TaskManager's GPUs; subtask i uses "
                    + "GPU i mod N of them (TensorRT).");

    public static final ConfigOption<String> MODEL_WATCH = ConfigOptions.key("model.watch")
            .stringType().noDefaultValue().withDescription("Replace the model while the job runs: a model file that is "
                    + "rewritten in place, or a directory of model files whose newest counts (the .onnx/.engine name "
                    + "that sorts last in natural order, digits as numbers: v10 after v9; names starting with . or _ "
                    + "are skipped, so copy there and rename). Each slot loads a new model in the background, checks it "
                    + "(it loads, has the running model's input size, runs an image) and switches to it between two "
                    + "batches, or refuses it with a log line and the modelSwapsRefused metric and keeps its model. A "
                    + "restart from a checkpoint comes back on the last accepted model. DataStream jobs only.");
    public static final ConfigOption<Duration> MODEL_WATCH_INTERVAL = ConfigOptions.key("model.watch.interval")
            .durationType().defaultValue(Duration.ofSeconds(10))
            .withDescription("How often each slot looks at model.watch.");

    /** Every option above: what a SQL model accepts besides {@code provider}. */
    public static final List<ConfigOption<?>> ALL = List.of(MODEL, BACKEND, PRECISION, PREPROCESS, NMS,
            MAX_BATCH_SIZE, MAX_BATCH_DELAY, BATCH_WAIT, GPU_DECODE_HOLD, IDLE_SPIN, INTRA_OP_THREADS, CONFIDENCE, IOU, MAX_DETECTIONS, MAX_BYTES,
            MAX_PIXELS, TIMEOUT, DECODE_THREADS, TENSORRT_PROFILES, CUDA_GRAPHS, GPU_RESOURCE, MODEL_WATCH,
            MODEL_WATCH_INTERVAL);

    private DetectionOptions() {}

    /**
     * The operator's builder with every option of {@code config} applied ({@link #MODEL} is required).
     *
     * @throws IllegalArgumentException naming the option whose value is wrong or missing
     */
    public static DetectionOperator.Builder builder(ReadableConfig config) {
        String model = config.getOptional(MODEL).filter(m -> !m.isBlank()).orElseThrow(() ->
                new IllegalArgumentException("'" + MODEL.key() + "' is required: the path of the YOLO .onnx model "
                        + "(or exported .engine) on every TaskManager"));
        int batch = atLeast(config, MAX_BATCH_SIZE, 1);
        int threads = atLeast(config, INTRA_OP_THREADS, 0);
        int decodeThreads = atLeast(config, DECODE_THREADS, 0);
        int maxDetections = atLeast(config, MAX_DETECTIONS, 1);
        float confidence = within(config, CONFIDENCE, 0, 1);
        float iou = within(config, IOU, Float.MIN_VALUE, 1);
        long maxBytes = atLeast(config, MAX_BYTES, 1L);
        long maxPixels = atLeast(config, MAX_PIXELS, 1L);
        Duration delay = config.get(MAX_BATCH_DELAY);
        if (delay.isNegative()) {
            throw invalid(MAX_BATCH_DELAY, delay, "must not be negative");
        }
        Duration hold = config.get(GPU_DECODE_HOLD);
        if (hold.isNegative() || hold.compareTo(BatchingConfig.MAX_GPU_DECODE_HOLD) > 0) {
            throw invalid(GPU_DECODE_HOLD, TimeUtils.formatWithHighestUnit(hold), "must be from 0 ms (no hold) to "
                    + BatchingConfig.MAX_GPU_DECODE_HOLD.toMillis() + " ms");
        }
        Duration spin = config.get(IDLE_SPIN);
        if (spin.isNegative() || spin.compareTo(BatchingConfig.MAX_IDLE_SPIN) > 0) {
            throw invalid(IDLE_SPIN, TimeUtils.formatWithHighestUnit(spin), "must be from 0 ms (park at once) to "
                    + BatchingConfig.MAX_IDLE_SPIN.toMillis() + " ms");
        }
        Duration timeout = config.get(TIMEOUT);
        if (timeout.isZero() || timeout.isNegative()) {
            throw invalid(TIMEOUT, timeout, "must be positive");
        }
        DetectionOperator.Builder builder = DetectionOperator.builder();
        Optional<String> watch = config.getOptional(MODEL_WATCH).filter(w -> !w.isBlank());
        if (watch.isPresent()) {
            Duration interval = config.get(MODEL_WATCH_INTERVAL);
            if (interval.isZero() || interval.isNegative()) {
                throw invalid(MODEL_WATCH_INTERVAL, interval, "must be positive");
            }
            builder.setModelWatch(watch.get(), interval);
        }
        return builder
                .setModel(model)
                .setBackend(parsed(config, BACKEND, Backend::parse))
                .setPrecision(parsed(config, PRECISION, Precision::parse))
                .setIntraOpThreads(threads)
                .setMaxBatchSize(batch)
                .setMaxBatchDelay(delay)
                .setBatchWait(parsed(config, BATCH_WAIT, BatchWait::parse))
                .setGpuDecodeHold(hold)
                .setIdleSpin(spin)
                .setDecodeThreads(decodeThreads)
                .setDecodeLimits(new DecodeLimits(maxBytes, maxPixels))
                .setPostprocess(new PostprocessConfig(confidence, iou, maxDetections))
                .setPreprocessing(parsed(config, PREPROCESS, Preprocessing::parse))
                .setNms(parsed(config, NMS, NmsPlacement::parse))
                .setTimeout(timeout)
                .setProfiles(parsed(config, TENSORRT_PROFILES, p -> {
                    io.streamdetect.engine.tensorrt.OptimizationProfiles.of(p, batch);
                    return p;
                }))
                .setCudaGraphs(config.get(CUDA_GRAPHS))
                .setGpuResourceName(config.get(GPU_RESOURCE));
    }

    private static <T> T parsed(ReadableConfig config, ConfigOption<String> option, Function<String, T> parser) {
        try {
            return parser.apply(config.get(option));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + option.key() + "': " + e.getMessage(), e);
        }
    }

    private static <N extends Number & Comparable<N>> N atLeast(ReadableConfig config, ConfigOption<N> option, N min) {
        N value = config.get(option);
        if (value.compareTo(min) < 0) {
            throw invalid(option, value, "must be at least " + min);
        }
        return value;
    }

    private static float within(ReadableConfig config, ConfigOption<Float> option, float min, float max) {
        float value = config.get(option);
        if (!(value >= min && value <= max)) {
            throw invalid(option, value, min == Float.MIN_VALUE ? "must be above 0 and at most " + max
                    : "must be within " + min + ".." + max);
        }
        return value;
    }

    private static IllegalArgumentException invalid(ConfigOption<?> option, Object value, String rule) {
        return new IllegalArgumentException("'" + option.key() + "' " + rule + ", got " + value);
    }
}
