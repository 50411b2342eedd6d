package io.streamdetect.engine.tensorrt;

import static org.bytedeco.tensorrt.global.nvinfer.createInferBuilder;
import static org.bytedeco.tensorrt.global.nvonnxparser.createParser;

import io.streamdetect.engine.EngineException;
import io.streamdetect.engine.Precision;
import io.streamdetect.model.OnnxModelFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.tensorrt.global.nvinfer.BuilderFlag;
import org.bytedeco.tensorrt.global.nvinfer.MemoryPoolType;
import org.bytedeco.tensorrt.global.nvinfer.OptProfileSelector;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.IBuilder;
import org.bytedeco.tensorrt.nvinfer.IBuilderConfig;
import org.bytedeco.tensorrt.nvinfer.IHostMemory;
import org.bytedeco.tensorrt.nvinfer.INetworkDefinition;
import org.bytedeco.tensorrt.nvinfer.IOptimizationProfile;
import org.bytedeco.tensorrt.nvinfer.ITimingCache;
import org.bytedeco.tensorrt.nvonnxparser.IParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds a TensorRT plan from an ONNX model: ONNX parser, dynamic-batch optimisation profiles
 * ({@link OptimizationProfiles}), FP16/INT8 flags, and a timing cache that is read before and written after every build, so later builds (other
 * precisions, other batch sizes, other TaskManagers sharing the cache volume) skip kernel timing.
 *
 * <p>The JavaCPP 1.5.11 TensorRT presets map no destructor for builder objects, so each build leaves its
 * builder, network and config in host memory until the JVM exits. Builds happen once per plan, minutes apart.
 */
public final class PlanBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(PlanBuilder.class);

    private PlanBuilder() {}

    /**
     * @param timingCache file read if present and rewritten after the build; null for none
     * @return the serialized plan
     */
    public static byte[] build(OnnxModelFile model, BuildOptions options, int height, int width, Path timingCache) {
        TensorRtLogger logger = TensorRtLogger.INSTANCE;
        long start = System.nanoTime();
        try (IBuilder builder = createInferBuilder(logger);
             INetworkDefinition network = builder.createNetworkV2(0); // TensorRT 10: explicit batch always
             IParser parser = createParser(network, logger);
             IBuilderConfig config = builder.createBuilderConfig()) {
            if (!parser.parseFromFile(model.path().toString(), 2 /* kWARNING */)) {
                StringBuilder why = new StringBuilder();
                for (int i = 0; i < parser.getNbErrors(); i++) {
                    why.append(i == 0 ? "" : "; ").append(parser.getError(i).desc());
                }
                throw new EngineException("TensorRT cannot parse " + model.path() + ": " + why);
            }
            if (options.nms() != null) {
                NmsHead.append(network, options.nms());
            }
            String input = network.getInput(0).getName();
            if (options.workspaceMb() > 0) {
                config.setMemoryPoolLimit(MemoryPoolType.kWORKSPACE, (long) options.workspaceMb() << 20);
            }
            if (options.optLevel() >= 0) {
                config.setBuilderOptimizationLevel(options.optLevel());
            }
            if (options.precision() != Precision.FP32) {
                config.setFlag(BuilderFlag.kFP16); // INT8 layers without an INT8 kernel fall back to FP16, not FP32
            }
            // a model exported with a fixed batch (Ultralytics' default) has no dynamic dimension to profile
            long fixedBatch = network.getInput(0).getDimensions().d(0);
            OptimizationProfiles profiles = fixedBatch > 0 ? OptimizationProfiles.single((int) fixedBatch)
                    : options.optimizationProfiles();
            if (fixedBatch <= 0) {
                for (int batch : profiles.batches()) { // index order = OptimizationProfiles' order: throughput first
                    IOptimizationProfile profile = builder.createOptimizationProfile();
                    profile.setDimensions(input, OptProfileSelector.kMIN, dims(1, height, width));
                    profile.setDimensions(input, OptProfileSelector.kOPT, dims(batch, height, width));
                    profile.setDimensions(input, OptProfileSelector.kMAX, dims(batch, height, width));
                    config.addOptimizationProfile(profile);
                }
            }

            ITimingCache cache = loadTimingCache(config, timingCache);
            config.setTimingCache(cache, false);
            MinMaxCalibrator calibrator = null;
            try {
                if (options.precision() == Precision.INT8) {
                    config.setFlag(BuilderFlag.kINT8);
                    // calibration batches of the model's own size where it fixes one
                    int calibBatch = fixedBatch > 0 ? (int) fixedBatch : options.calibBatch();
                    if (fixedBatch <= 0) {
                        IOptimizationProfile calib = builder.createOptimizationProfile();
                        Dims64 fixed = dims(calibBatch, height, width);
                        calib.setDimensions(input, OptProfileSelector.kMIN, fixed);
                        calib.setDimensions(input, OptProfileSelector.kOPT, fixed);
                        calib.setDimensions(input, OptProfileSelector.kMAX, fixed);
                        config.setCalibrationProfile(calib);
                    }
                    Path table = options.calibrationDir().resolve(".streamdetect-" + model.name() + "-int8-minmax.calib");
                    calibrator = new MinMaxCalibrator(calibrationImages(options.calibrationDir()),
                            calibBatch, width, height, Files.isWritable(options.calibrationDir()) ? table : null);
                    config.setInt8Calibrator(calibrator);
                }
                LOG.info("building a {} TensorRT plan for {} ({}, {} head, NMS {}), this takes minutes",
                        options.precision().label(), model.path().getFileName(),
                        fixedBatch > 0 ? "batch fixed at " + fixedBatch : "profiles " + profiles.describe(),
                        model.head().label(), model.head() == io.streamdetect.model.DetectionHead.END_TO_END ? "none needed"
                                : options.nms() == null ? "on the host" : "in the engine");
                try (IHostMemory plan = builder.buildSerializedNetwork(network, config)) {
                    if (plan == null || plan.isNull() || plan.size() == 0) {
                        throw new EngineException("TensorRT could not build the plan: " + logger.takeLastError());
                    }
                    byte[] bytes = new byte[(int) plan.size()];
                    new BytePointer(plan.data()).capacity(plan.size()).get(bytes);
                    saveTimingCache(config.getTimingCache(), timingCache);
                    LOG.info("built the {} plan ({} profile(s)) in {} s ({} MB)", options.precision().label(),
                            profiles.count(), (System.nanoTime() - start) / 1_000_000_000L, bytes.length >> 20);
                    return bytes;
                }
            } finally {
                if (calibrator != null) {
                    calibrator.close();
                }
            }
        }
    }

    static Dims64 dims(int batch, int height, int width) {
        Dims64 d = new Dims64();
        d.nbDims(4);
        d.d(0, batch).d(1, 3).d(2, height).d(3, width);
        return d;
    }

    private static ITimingCache loadTimingCache(IBuilderConfig config, Path file) {
        byte[] bytes = new byte[0];
        if (file != null && Files.isRegularFile(file)) {
            try {
                bytes = Files.readAllBytes(file);
                LOG.info("timing cache {} ({} KB) reused", file, bytes.length >> 10);
            } catch (IOException e) {
                LOG.warn("cannot read timing cache {}: {}", file, e.getMessage());
            }
        }
        ITimingCache cache = config.createTimingCache(new BytePointer(bytes), bytes.length);
        if (cache == null || cache.isNull()) {
            LOG.warn("timing cache {} rejected by TensorRT; starting an empty one", file);
            cache = config.createTimingCache(new BytePointer(0), 0);
        }
        return cache;
    }

    private static void saveTimingCache(ITimingCache cache, Path file) {
        if (file == null || cache == null) {
            return;
        }
        try (IHostMemory memory = cache.serialize()) {
            byte[] bytes = new byte[(int) memory.size()];
            new BytePointer(memory.data()).capacity(memory.size()).get(bytes);
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, bytes);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.warn("cannot write timing cache {}: {}", file, e.getMessage());
        }
    }

    static List<Path> calibrationImages(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().toLowerCase(java.util.Locale.ROOT).matches(".*\\.(jpe?g|png)"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new EngineException("cannot list calibration images in " + dir + ": " + e.getMessage(), e);
        }
    }
}
