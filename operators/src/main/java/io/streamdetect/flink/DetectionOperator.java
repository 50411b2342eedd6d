package io.streamdetect.flink;

import io.streamdetect.batching.BatchWait;
import io.streamdetect.batching.BatchingConfig;
import io.streamdetect.decode.DecodeLimits;
import io.streamdetect.engine.Backend;
import io.streamdetect.engine.EngineSpec;
import io.streamdetect.engine.Precision;
import io.streamdetect.postprocess.NmsPlacement;
import io.streamdetect.postprocess.PostprocessConfig;
import io.streamdetect.predict.PredictorConfig;
import io.streamdetect.preprocess.Preprocessing;
import io.streamdetect.records.DeadLetter;
import io.streamdetect.records.DetectionRecord;
import io.streamdetect.records.ImageRecord;
import io.streamdetect.swap.ModelWatch;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Adds object detection to a stream of {@link ImageRecord}s, in the style of Flink's connector builders:
 *
 * <pre>{@code
 * DetectionOperator.Outputs out = DetectionOperator.builder()
 *         .setModel("yolo11n.onnx")
 *         .setMaxBatchSize(16)
 *         .setMaxBatchDelay(Duration.ofMillis(5))
 *         .build()
 *         .apply(images);
 * out.detections().sinkTo(...);
 * out.deadLetters().sinkTo(...);
 * }</pre>
 */
public final class DetectionOperator {
    /** Side output of the records that could not be processed. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", new AvroTypeInfo<>(DeadLetter.class));

    private final DetectionSettings settings;

    private DetectionOperator(DetectionSettings settings) {
        this.settings = settings;
    }

    public static Builder builder() {
        return new Builder();
    }

    public DetectionSettings settings() {
        return settings;
    }

    /** Wires the operator after {@code images}; the uid lets savepoints map its state. */
    public Outputs apply(DataStream<ImageRecord> images) {
        TypeInformation<Either<DeadLetter, DetectionRecord>> outcomeType =
                new EitherTypeInfo<>(new AvroTypeInfo<>(DeadLetter.class), new AvroTypeInfo<>(DetectionRecord.class));
        DetectionFunction function = new DetectionFunction(settings);
        long timeoutMs = settings.timeout().toMillis();
        SingleOutputStreamOperator<ImageRecord> sized = images
                .process(new OversizedImages(settings.predictor().limits()))
                .returns(new AvroTypeInfo<>(ImageRecord.class))
                .name("refuse-oversized").uid("streamdetect-refuse-oversized");
        SingleOutputStreamOperator<Either<DeadLetter, DetectionRecord>> outcomes = settings.ordered()
                ? AsyncDataStream.orderedWait(sized, function, timeoutMs, TimeUnit.MILLISECONDS, settings.capacity())
                : AsyncDataStream.unorderedWait(sized, function, timeoutMs, TimeUnit.MILLISECONDS, settings.capacity());
        outcomes.returns(outcomeType).name("detect").uid("streamdetect-detect");
        SingleOutputStreamOperator<DetectionRecord> detections = outcomes
                .process(new SplitOutcomes())
                .returns(new AvroTypeInfo<>(DetectionRecord.class))
                .name("split-dead-letters").uid("streamdetect-split");
        return new Outputs(detections, detections.getSideOutput(DEAD_LETTERS).union(sized.getSideOutput(DEAD_LETTERS)));
    }

    /** The operator's two outputs. */
    public record Outputs(DataStream<DetectionRecord> detections, DataStream<DeadLetter> deadLetters) {}

    /** Right goes on as a detection, Left to the dead-letter side output. */
    static final class SplitOutcomes extends ProcessFunction<Either<DeadLetter, DetectionRecord>, DetectionRecord> {
        private static final long serialVersionUID = 1L;

        @Override
        public void processElement(Either<DeadLetter, DetectionRecord> outcome, Context ctx, Collector<DetectionRecord> out) {
            if (outcome.isLeft()) {
                ctx.output(DEAD_LETTERS, outcome.left());
            } else {
                out.collect(outcome.right());
            }
        }
    }

    /** Builder with the operator's defaults: ONNX Runtime, batch 8, 5 ms delay, 30 s timeout, 64 in flight. */
    public static final class Builder {
        private String model;
        private Backend backend = Backend.AUTO;
        private Precision precision = Precision.FP32;
        private int intraOpThreads = 0;
        private int maxBatchSize = BatchingConfig.DEFAULT.maxBatchSize();
        private Duration maxBatchDelay = BatchingConfig.DEFAULT.maxBatchDelay();
        private BatchWait batchWait = BatchingConfig.DEFAULT.batchWait();
        private Duration gpuDecodeHold = BatchingConfig.DEFAULT_GPU_DECODE_HOLD;
        private Duration idleSpin = Duration.ZERO;
        private int decodeThreads = BatchingConfig.AUTO_DECODE_THREADS;
        private DecodeLimits limits = DecodeLimits.DEFAULT;
        private PostprocessConfig postprocess = PostprocessConfig.DEFAULT;
        private Preprocessing preprocessing = Preprocessing.AUTO;
        private NmsPlacement nms = NmsPlacement.AUTO;
        private Duration timeout = Duration.ofSeconds(30);
        private Integer capacity;
        private boolean ordered;
        private String gpuResource = DetectionSettings.DEFAULT_GPU_RESOURCE;
        private String profiles = EngineSpec.DEFAULT_PROFILES;
        private boolean cudaGraphs = true;
        private ModelWatch modelWatch;

        /** Path of the YOLO .onnx model on every TaskManager (required). */
        public Builder setModel(String model) {
            this.model = model;
            return this;
        }

        public Builder setBackend(Backend backend) {
            this.backend = backend;
            return this;
        }

        public Builder setPrecision(Precision precision) {
            this.precision = precision;
            return this;
        }

        /** ONNX Runtime threads per inference call; 0 lets ONNX Runtime use every core. */
        public Builder setIntraOpThreads(int threads) {
            this.intraOpThreads = threads;
            return this;
        }

        /** Largest micro-batch; also the engine's batch limit. */
        public Builder setMaxBatchSize(int size) {
            this.maxBatchSize = size;
            return this;
        }

        /** Longest an image waits for its batch to fill. */
        public Builder setMaxBatchDelay(Duration delay) {
            this.maxBatchDelay = delay;
            return this;
        }

        /**
         * When a batch that is not full closes: {@link BatchWait#ADAPTIVE} (the default) at once when the engine is
         * idle, else after at most the max delay; {@link BatchWait#FIXED} after the max delay.
         */
        public Builder setBatchWait(BatchWait wait) {
            this.batchWait = wait;
            return this;
        }

        /**
         * With GPU pre-processing, how long a full batch's launch waits for the next batch's decode to be submitted
         * first ({@link BatchingConfig#gpuDecodeHold}; 1 ms by default, zero launches at once).
         */
        public Builder setGpuDecodeHold(Duration hold) {
            this.gpuDecodeHold = hold;
            return this;
        }

        /**
         * How long each slot's prepare thread polls for the next image before it parks ({@link
         * BatchingConfig#idleSpin}; zero, the default, parks at once): lower latency at low load for a busy core.
         */
        public Builder setIdleSpin(Duration spin) {
            this.idleSpin = spin;
            return this;
        }

        /**
         * Threads of the TaskManager's shared CPU decode pool ({@link BatchingConfig#decodeThreads}); 0, the default,
         * picks by engine: every core beside TensorRT, none beside ONNX Runtime.
         */
        public Builder setDecodeThreads(int threads) {
            this.decodeThreads = threads;
            return this;
        }

        public Builder setDecodeLimits(DecodeLimits limits) {
            this.limits = limits;
            return this;
        }

        public Builder setPostprocess(PostprocessConfig postprocess) {
            this.postprocess = postprocess;
            return this;
        }

        /** An image not done after this becomes a TIMEOUT dead letter. */
        public Builder setTimeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /** Most images in flight per slot; default 8 batches' worth. */
        public Builder setCapacity(int capacity) {
            this.capacity = capacity;
            return this;
        }

        /** Emit in input order (default: as completed, lower latency). */
        public Builder setOrdered(boolean ordered) {
            this.ordered = ordered;
            return this;
        }

        /**
         * Name of the Flink external resource that lists the TaskManager's GPUs (default {@code gpu}); the
         * TensorRT engine runs on the GPU it assigns (see {@link GpuAssignment}), or on device 0 when the
         * TaskManager has no such resource.
         */
        public Builder setGpuResourceName(String name) {
            this.gpuResource = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Where images are decoded and letterboxed: {@link Preprocessing#GPU} (nvJPEG and a CUDA kernel, TensorRT
         * only) sends only compressed bytes over PCIe. Default {@link Preprocessing#AUTO}: GPU where the slot's
         * engine is TensorRT and nvJPEG loads, else CPU (resolved on the TaskManager, which may have the GPU).
         */
        public Builder setPreprocessing(Preprocessing preprocessing) {
            this.preprocessing = Objects.requireNonNull(preprocessing, "preprocessing");
            return this;
        }

        /**
         * True builds NMS into the TensorRT plan with the {@link #setPostprocess} thresholds, so only detections
         * leave the GPU; false runs it on the host. Without a call: {@link NmsPlacement#AUTO}, see {@link #setNms}.
         */
        public Builder setNmsInEngine(boolean nmsInEngine) {
            return setNms(nmsInEngine ? NmsPlacement.ENGINE : NmsPlacement.HOST);
        }

        /**
         * Where NMS runs. ENGINE builds it into the TensorRT plan with the {@link #setPostprocess} thresholds, so
         * only detections leave the GPU; ONNX Runtime ignores it. Default {@link NmsPlacement#AUTO}: in the plan
         * where the slot's engine is TensorRT and the model has a classic head, else on the host (resolved on the
         * TaskManager, which may have the GPU; {@code export} resolves it the same way, so it builds the plan the
         * job looks up).
         */
        public Builder setNms(NmsPlacement nms) {
            this.nms = Objects.requireNonNull(nms, "nms");
            return this;
        }

        /**
         * TensorRT's optimisation profiles besides 1..max batch: {@code auto} (batch 1 and 8, the default),
         * {@code none}, or batch sizes such as {@code 1,4,16}. Part of the plan's key: {@code export} with the same
         * setting builds the plan this looks up.
         */
        public Builder setProfiles(String profiles) {
            // a bad setting fails here, not later on a TaskManager
            io.streamdetect.engine.tensorrt.OptimizationProfiles.of(profiles, Math.max(1, maxBatchSize));
            this.profiles = Objects.requireNonNull(profiles, "profiles");
            return this;
        }

        /** TensorRT: replay each batch size's launch as a captured CUDA graph (default true). */
        public Builder setCudaGraphs(boolean cudaGraphs) {
            this.cudaGraphs = cudaGraphs;
            return this;
        }

        /**
         * Switch models while the job runs: every {@code interval} each slot looks at {@code path} (a model file,
         * or a directory whose newest model counts, see {@link io.streamdetect.swap.ModelCandidates}), loads a
         * new one in the background and switches to it between two batches; one that cannot be used is refused
         * and the running model stays. A restart from a checkpoint comes back on the last accepted model.
         */
        public Builder setModelWatch(String path, Duration interval) {
            this.modelWatch = new ModelWatch(path, interval);
            return this;
        }

        /**
         * The batch an ONNX model fixes, where this process can read it (on a cluster the path may exist only on the
         * TaskManagers); else no limit. The default capacity follows it: 8 batches in flight at the model's batch,
         * not at {@code maxBatchSize}, which the engine caps to it anyway, so images do not wait in line past the
         * timeout (and become TIMEOUT dead letters) behind a model that runs one image at a time.
         */
        private static int fixedBatchOf(String model) {
            java.nio.file.Path path = java.nio.file.Path.of(model);
            if (!model.endsWith(".onnx") || !java.nio.file.Files.isRegularFile(path)) {
                return Integer.MAX_VALUE;
            }
            int fixed = io.streamdetect.model.OnnxModelFile.read(path).shapes().fixedBatch();
            return fixed > 0 ? fixed : Integer.MAX_VALUE;
        }

        public DetectionOperator build() {
            Objects.requireNonNull(model, "setModel: the operator needs a model path");
            // NMS auto and ONNX Runtime's ignoring of engine NMS are resolved on the TaskManager, which may have the GPU
            EngineSpec engine = new EngineSpec(model, backend, precision, maxBatchSize, intraOpThreads)
                    .withNms(nms, postprocess).withProfiles(profiles).withCudaGraphs(cudaGraphs);
            int cap = capacity != null ? capacity : Math.max(16, 8 * Math.min(maxBatchSize, fixedBatchOf(model)));
            return new DetectionOperator(new DetectionSettings(engine, new PredictorConfig(limits, postprocess, preprocessing),
                    new BatchingConfig(maxBatchSize, maxBatchDelay, decodeThreads, batchWait, gpuDecodeHold, idleSpin), timeout,
                    cap, ordered, gpuResource, modelWatch));
        }
    }
}
