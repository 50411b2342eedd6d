package io.streamdetect.cli;

import io.streamdetect.decode.DecodeLimits;
import io.streamdetect.engine.EngineSpec;
import io.streamdetect.model.DetectionHead;
import io.streamdetect.model.OnnxModelFile;
import io.streamdetect.postprocess.NmsPlacement;
import io.streamdetect.postprocess.PostprocessConfig;
import io.streamdetect.predict.PredictorConfig;
import io.streamdetect.preprocess.Preprocessing;
import picocli.CommandLine.Option;

/** Detection thresholds and input limits, with Ultralytics' defaults. */
public final class DetectionOptions {
    @Option(names = "--conf", defaultValue = "0.25", paramLabel = "C",
            description = "Minimum confidence (default: ${DEFAULT-VALUE}).")
    float confidence;

    @Option(names = "--iou", defaultValue = "0.7", paramLabel = "T",
            description = "Class-wise NMS IoU threshold (default: ${DEFAULT-VALUE}).")
    float iou;

    @Option(names = "--max-det", defaultValue = "300", paramLabel = "N",
            description = "Most detections per image (default: ${DEFAULT-VALUE}).")
    int maxDetections;

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

    @Option(names = "--nms", defaultValue = "host", paramLabel = "WHERE", converter = NmsPlacementConverter.class,
            description = "host or engine: NMS in Java, or built into the TensorRT plan so only detections leave the "
                    + "GPU (--conf, --iou and --max-det are then fixed in the plan, which is cached per value) "
                    + "(default: ${DEFAULT-VALUE}).")
    NmsPlacement nms;

    public PredictorConfig config() {
        return new PredictorConfig(new DecodeLimits(maxBytes, maxPixels),
                new PostprocessConfig(confidence, iou, maxDetections), preprocessing);
    }

    /** {@code spec} with NMS in the plan when {@code --nms engine} asks for it. */
    public EngineSpec apply(EngineSpec spec) {
        return nms == NmsPlacement.ENGINE ? withEngineNms(spec, config().postprocess()) : spec;
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
                    + "leave --nms at host (only --conf and --max-det apply to this model)");
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
