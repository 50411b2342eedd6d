package io.streamdetect.cli;

import io.streamdetect.decode.DecodeLimits;
import io.streamdetect.engine.EngineSpec;
import io.streamdetect.model.DetectionHead;
import io.streamdetect.model.OnnxModelFile;
import io.streamdetect.postprocess.NmsPlacement;
import io.streamdetect.postprocess.PostprocessConfig;
import io.streamdetect.predict.PredictorConfig;
import io.streamdetect.preprocess.Preprocessing;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Detection thresholds and input limits, with Ultralytics' defaults. */
public final class DetectionOptions {
    /** The help of every command's --nms. */
    static final String NMS_HELP = "auto, host or engine: NMS in Java, or built into the TensorRT plan so only "
            + "detections leave the GPU (--conf, --iou and --max-det are then fixed in the plan, which is cached per "
            + "value); auto = engine where the backend is TensorRT and the model has a classic head (YOLOv8/YOLO11), "
            + "else host (default: ${DEFAULT-VALUE}).";

    @Mixin
    ThresholdOptions thresholds = new ThresholdOptions();

    @Option(names = "--max-pixels", defaultValue = "40000000", paramLabel = "N",
            description = "Refuse images larger than this many pixels, checked from the header (default: ${DEFAULT-VALUE}).")
    long maxPixels;

    @Option(names = "--max-bytes", defaultValue = "33554432", paramLabel = "N",
            description = "Refuse encoded images larger than this (default: ${DEFAULT-VALUE}).")
    long maxBytes;

    @Option(names = "--preprocess", defaultValue = "auto", paramLabel = "WHERE", converter = PreprocessingConverter.class,
            description = "auto, cpu or gpu: decode and letterbox with OpenCV on the CPU, or with nvJPEG and a CUDA "
                    + "kernel on the GPU (TensorRT only; images the GPU path does not take, e.g. PNG or progressive "
                    + "JPEG, use the CPU); auto = gpu where the engine is TensorRT and nvJPEG loads, else cpu "
                    + "(default: ${DEFAULT-VALUE}).")
    Preprocessing preprocessing;

    @Option(names = "--nms", defaultValue = "auto", paramLabel = "WHERE", converter = NmsPlacementConverter.class,
            description = NMS_HELP)
    NmsPlacement nms;

    public PredictorConfig config() {
        return new PredictorConfig(new DecodeLimits(maxBytes, maxPixels),
                thresholds.postprocess(), preprocessing);
    }

    /** {@code spec} with NMS where {@code --nms} asks for it (auto: resolved when the engine opens). */
    public EngineSpec apply(EngineSpec spec) {
        return withNms(spec, nms, config().postprocess());
    }

    /**
     * {@code spec} with NMS at {@code placement}; AUTO is resolved when the engine opens ({@link
     * io.streamdetect.engine.Engines#resolveNms}), the same way for every command and job.
     *
     * @throws IllegalArgumentException for ENGINE with an end-to-end model (YOLO26, YOLOv10), which has no NMS
     */
    static EngineSpec withNms(EngineSpec spec, NmsPlacement placement, PostprocessConfig thresholds) {
        return placement == NmsPlacement.ENGINE ? withEngineNms(spec, thresholds) : spec.withNms(placement, thresholds);
    }

    /**
     * {@code spec} with NMS built into the plan, for a model that has NMS to move there.
     *
     * @throws IllegalArgumentException for an end-to-end model (YOLO26, YOLOv10), which has no NMS at all
     */
    static EngineSpec withEngineNms(EngineSpec spec, PostprocessConfig thresholds) {
        if (spec.modelPath().endsWith(".onnx") && OnnxModelFile.read(spec.model()).head() == DetectionHead.END_TO_END) {
            throw new IllegalArgumentException("--nms engine does not apply to " + spec.model().getFileName()
                    + ": its end-to-end head returns final detections, there is no NMS to put into the engine; "
                    + "leave --nms at auto or host (only --conf and --max-det apply to this model)");
        }
        return spec.withEngineNms(thresholds);
    }

    static final class NmsPlacementConverter implements picocli.CommandLine.ITypeConverter<NmsPlacement> {
        @Override
        public NmsPlacement convert(String value) {
            return NmsPlacement.parse(value);
        }
    }

    static final class PreprocessingConverter implements picocli.CommandLine.ITypeConverter<Preprocessing> {
        @Override
        public Preprocessing convert(String value) {
            return Preprocessing.parse(value);
        }
    }
}
