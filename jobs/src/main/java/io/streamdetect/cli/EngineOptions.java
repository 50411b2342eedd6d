package io.streamdetect.cli;

import io.streamdetect.engine.Backend;
import io.streamdetect.engine.EngineSpec;
import io.streamdetect.engine.Precision;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options that choose and size the inference engine; shared by every command that runs the model. */
public final class EngineOptions {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL",
            description = "YOLO model exported to ONNX (e.g. yolo11n.onnx).")
    Path model;

    @Option(names = "--backend", defaultValue = "auto", paramLabel = "BACKEND",
            converter = BackendConverter.class,
            description = "auto, onnxruntime or tensorrt (default: ${DEFAULT-VALUE}: TensorRT when a GPU is visible).")
    Backend backend;

    @Option(names = "--precision", defaultValue = "fp32", paramLabel = "P", converter = PrecisionConverter.class,
            description = "fp32, fp16 or int8 (TensorRT only; default: ${DEFAULT-VALUE}).")
    Precision precision;

    @Option(names = "--max-batch", defaultValue = "8", paramLabel = "N",
            description = "Images per inference call (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "N",
            description = "ONNX Runtime threads per inference; 0 = all cores (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--calib", paramLabel = "DIR",
            description = "TensorRT int8: calibration images (a few hundred typical ones), used when the plan is built.")
    Path calib;

    @Option(names = "--profiles", defaultValue = EngineSpec.DEFAULT_PROFILES, paramLabel = "SETTING",
            description = "TensorRT optimisation profiles besides 1..max batch: auto (1 and 8), none, or sizes such as "
                    + "1,4,16 (default: ${DEFAULT-VALUE}).")
    String profiles;

    @Option(names = "--cuda-graphs", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "TensorRT: replay each batch size's launch as a CUDA graph (default: on; --no-cuda-graphs "
                    + "launches kernels one by one).")
    boolean cudaGraphs;

    public EngineSpec spec() {
        return new EngineSpec(model.toString(), backend, precision, maxBatch, threads,
                calib == null ? null : calib.toString()).withProfiles(profiles).withCudaGraphs(cudaGraphs);
    }

    static final class BackendConverter implements picocli.CommandLine.ITypeConverter<Backend> {
        @Override
        public Backend convert(String value) {
            return Backend.parse(value);
        }
    }

    static final class PrecisionConverter implements picocli.CommandLine.ITypeConverter<Precision> {
        @Override
        public Precision convert(String value) {
            return Precision.parse(value);
        }
    }
}
