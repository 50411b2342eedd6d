package io.streamdetect.engine.tensorrt;

import static org.bytedeco.tensorrt.global.nvinfer.createInferRuntime;

import io.streamdetect.cuda.Cuda;
import io.streamdetect.cuda.GpuInfo;
import io.streamdetect.engine.Backend;
import io.streamdetect.engine.BatchLimit;
import io.streamdetect.engine.EngineException;
import io.streamdetect.engine.EngineInfo;
import io.streamdetect.engine.EngineSession;
import io.streamdetect.engine.EngineSpec;
import io.streamdetect.engine.InferenceEngine;
import io.streamdetect.engine.Precision;
import io.streamdetect.model.DetectionHead;
import io.streamdetect.model.ModelException;
import io.streamdetect.model.ModelMetadata;
import io.streamdetect.model.OnnxModelFile;
import io.streamdetect.postprocess.PostprocessConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.tensorrt.global.nvinfer.ExecutionContextAllocationStrategy;
import org.bytedeco.tensorrt.global.nvinfer.OptProfileSelector;
import org.bytedeco.tensorrt.global.nvinfer.TensorIOMode;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.ICudaEngine;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;
import org.bytedeco.tensorrt.nvinfer.IRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A deserialized TensorRT engine ({@link ICudaEngine}), shared by all slots of a JVM; each slot runs it through
 * its own {@link TensorRtSession} (execution context, stream, buffers). Opened from an ONNX model through the
 * {@link PlanCache} (built once, then deserialized in seconds) or from an exported {@code .engine} file.
 */
public final class TensorRtEngine implements InferenceEngine {
    private static final Logger LOG = LoggerFactory.getLogger(TensorRtEngine.class);

    /**
     * The JavaCPP 1.5.11 TensorRT presets map no destructor for ICudaEngine, IRuntime or IExecutionContext:
     * closing them frees nothing. So memory is bounded instead: a deserialized engine is kept per plan for the
     * JVM's life and reused when the plan is opened again (a job restart), and execution contexts go back to
     * that deserialized engine's pool when a session closes: the pool lives as long as the engine it belongs to,
     * so a failover (a new TensorRtEngine on the cached ICudaEngine) reuses the contexts of the last run instead
     * of creating, and leaking, new ones.
     */
    private static final Map<String, Loaded> LOADED = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * A deserialized engine and its idle execution contexts, kept for the JVM's life. A session takes one context
     * per optimisation profile (a context runs one profile), created without device memory: the session gives
     * its contexts one shared block, as they run one after another on its one stream.
     */
    private record Loaded(IRuntime runtime, ICudaEngine engine, java.util.ArrayDeque<IExecutionContext[]> idleContexts) {
        Loaded(IRuntime runtime, ICudaEngine engine) {
            this(runtime, engine, new java.util.ArrayDeque<>());
        }

        /**
         * Execution contexts are created one set at a time and reused; running sets concurrently is safe.
         *
         * @param count contexts in a set: the profiles a session uses (see {@link #profilesOf})
         */
        synchronized IExecutionContext[] takeContexts(int count) {
            if (!idleContexts.isEmpty()) {
                return idleContexts.pop();
            }
            IExecutionContext[] contexts = new IExecutionContext[count];
            for (int i = 0; i < contexts.length; i++) {
                contexts[i] = engine.createExecutionContext(ExecutionContextAllocationStrategy.kUSER_MANAGED);
                if (contexts[i] == null || contexts[i].isNull()) {
                    throw new EngineException("TensorRT could not create an execution context: "
                            + TensorRtLogger.INSTANCE.takeLastError());
                }
            }
            return contexts;
        }

        synchronized void returnContexts(IExecutionContext[] contexts) {
            idleContexts.push(contexts);
        }

        /** Device memory a context needs at most, over the profiles: one block serves all of a session's contexts. */
        long contextMemoryBytes() {
            long bytes = 0;
            for (int i = 0; i < Math.max(1, engine.getNbOptimizationProfiles()); i++) {
                bytes = Math.max(bytes, engine.getDeviceMemorySizeForProfileV2(i));
            }
            return bytes;
        }
    }

    /**
     * Pins every run of the sessions opened while it is set to one profile index, for benchmarks only
     * ({@code bench --pin-profile}): {@code 0} runs all batch sizes on the throughput profile, as plans with one
     * profile did (the baseline of the profiles' speed-up, measured on the same plan). Jobs never set it.
     */
    public static final String PIN_PROFILE_PROPERTY = "streamdetect.tensorrt.profile";

    /**
     * System property: {@code false} turns CUDA graphs off for plans with NMS in them only ({@code
     * tensorrt.cuda-graphs} turns them off for every plan). Such plans ran without graphs from 2026-12-01 (session
     * 4: on an H200 a graph captured on one profile made the next run on another return no detections) to
     * 2026-12-02: that was never seen again (NmsGraphsDiagnosisGpuTest in sessions 5 and 11, direct and graphed
     * runs across all three profiles), and {@code eval} on coco8 (one batch of 8 on the 1..8 profile, replayed as
     * a graph) gave the same mAP, class by class, as without graphs (session 11). Graphs take batch 1 on the default
     * plan from 0.89-1.20 to 0.68-0.73 ms and p99 at 10% load from 6.4 to 3.2 ms (docs/benchmarks.md). {@code
     * scripts/gpu/nms-graphs-diagnosis.sh} sets it both ways.
     */
    static final String NMS_GRAPHS_PROPERTY = "streamdetect.tensorrt.cuda-graphs.nms";

    private final OnnxModelFile model;
    private final Loaded loaded;
    private final EngineInfo info;
    private final OptimizationProfiles profiles;
    private final int device;
    private final boolean cudaGraphs;

    private TensorRtEngine(OnnxModelFile model, Loaded loaded, EngineInfo info, int device, boolean cudaGraphs) {
        this.model = model;
        this.loaded = loaded;
        this.info = info;
        this.profiles = profilesOf(loaded.engine(), info);
        this.device = device;
        boolean nmsGraphs = nmsGraphsProperty();
        this.cudaGraphs = cudaGraphs && (!info.nmsInEngine() || nmsGraphs);
        if (cudaGraphs && info.nmsInEngine() && !nmsGraphs) {
            LOG.info("CUDA graphs are off for {}: its plan has NMS in it and -D{}=false; its engine launches its "
                    + "kernels one by one", model.name(), NMS_GRAPHS_PROPERTY);
        }
    }

    /** {@link #NMS_GRAPHS_PROPERTY}: true unless set to false; any other value is refused, not read as either. */
    static boolean nmsGraphsProperty() {
        String value = System.getProperty(NMS_GRAPHS_PROPERTY, "true").trim();
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        throw new EngineException("-D" + NMS_GRAPHS_PROPERTY + "=" + value + " is neither true (the default: CUDA graphs "
                + "for plans with NMS in them too) nor false (graphs off for those plans only)");
    }

    /** Opens {@code spec}: an {@code .engine} file as is, an {@code .onnx} model through the plan cache. */
    public static TensorRtEngine open(EngineSpec spec, PlanCache cache, int device) {
        TensorRt.require();
        int devices = Cuda.deviceCount();
        if (device >= devices) {
            throw new EngineException("CUDA device " + device + " does not exist: this machine has " + devices
                    + " GPU(s), 0.." + (devices - 1) + "; the device comes from the TaskManager's `gpu` external"
                    + " resource, else STREAMDETECT_CUDA_DEVICE, else 0");
        }
        Cuda.setDevice(device);
        Path path = spec.model();
        if (path.getFileName().toString().endsWith(".engine")) {
            EngineFile file = EngineFile.read(path);
            return deserialize(modelOf(path, file), file, device, path.toString(), spec.cudaGraphs());
        }
        OnnxModelFile model = OnnxModelFile.read(path);
        GpuInfo gpu = Cuda.device(device);
        int h = model.metadata().inputHeight();
        int w = model.metadata().inputWidth();
        DetectionHead head = model.head();
        PostprocessConfig nms = spec.engineNms();
        if (head == DetectionHead.END_TO_END && nms != null) {
            LOG.warn("NMS in the engine does not apply to {}: its end-to-end head returns final detections without NMS; "
                    + "building its plan without NMS (set nms to host)", path.getFileName());
            nms = null;
        }
        int batch = BatchLimit.of(path.getFileName().toString(), model.shapes().fixedBatch(), spec.maxBatch());
        BuildOptions options = new BuildOptions(spec.precision(), batch, 0, -1,
                spec.calibrationDir() == null ? null : Path.of(spec.calibrationDir()), 4, nms, spec.profiles());
        PlanKey key = PlanKey.of(model.sha256(), gpu, TensorRt.version(), spec.precision(), batch, h, w, nms, head)
                .forBuild(options, model.shapes().fixedBatch());
        EngineFile file = cache.getOrBuild(key, model.name(), () -> build(model, options, key, cache.timingCache(key)));
        try {
            return deserialize(model, file, device, cache.planFile(key, model.name()).toString(), spec.cudaGraphs());
        } catch (EngineException e) {
            LOG.warn("cached plan {} is unusable ({}); rebuilding it", cache.planFile(key, model.name()), e.getMessage());
            cache.evict(key, model.name());
            file = cache.getOrBuild(key, model.name(), () -> build(model, options, key, cache.timingCache(key)));
            return deserialize(model, file, device, cache.planFile(key, model.name()).toString(), spec.cudaGraphs());
        }
    }

    /** Builds a plan and wraps it with the metadata header that makes the file self-describing. */
    public static EngineFile build(OnnxModelFile model, BuildOptions options, PlanKey key, Path timingCache) {
        byte[] plan = PlanBuilder.build(model, options, key.inputHeight(), key.inputWidth(), timingCache);
        Map<String, String> header = new LinkedHashMap<>(model.metadata().raw());
        header.put("source.model", model.path().getFileName().toString());
        header.put("source.sha256", model.sha256());
        header.put("precision", options.precision().name());
        header.put("plan.key", key.canonical());
        header.put("nms", key.nms());
        header.put("head", key.head());
        return new EngineFile(header, plan);
    }

    private static OnnxModelFile modelOf(Path path, EngineFile file) {
        String name = file.header().getOrDefault("source.model", path.getFileName().toString()).replaceAll("\\.onnx$", "");
        ModelMetadata meta = ModelMetadata.parse(file.header(), path.getFileName().toString());
        return new OnnxModelFile(path, name, file.header().getOrDefault("source.sha256", ""), meta);
    }

    private static TensorRtEngine deserialize(OnnxModelFile model, EngineFile file, int device, String where,
                                              boolean cudaGraphs) {
        String planId = device + ":" + java.util.Arrays.hashCode(file.plan()) + ":" + file.plan().length;
        Loaded loaded = LOADED.computeIfAbsent(planId, id -> load(file, where));
        Precision precision = Precision.parse(file.header().getOrDefault("precision", "FP32"));
        return new TensorRtEngine(model, loaded, describe(loaded.engine(), model, precision, where), device, cudaGraphs);
    }

    /** The plan's profiles by index, read from the plan itself (a plan exported elsewhere may have others). */
    private static OptimizationProfiles profilesOf(ICudaEngine engine, EngineInfo info) {
        int count = engine.getNbOptimizationProfiles();
        if (info.staticBatch() || count <= 1) {
            return OptimizationProfiles.single(info.maxBatch());
        }
        java.util.List<Integer> batches = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            long min = engine.getProfileShape(info.inputName(), i, OptProfileSelector.kMIN).d(0);
            if (min != 1) { // not a plan of ours (trtexec's, say): only its first profile, as before profiles
                LOG.warn("profile {} of this plan starts at batch {}, not 1; runs use its first profile only", i, min);
                return OptimizationProfiles.single(info.maxBatch());
            }
            batches.add((int) engine.getProfileShape(info.inputName(), i, OptProfileSelector.kMAX).d(0));
        }
        return new OptimizationProfiles(batches);
    }

    private static Loaded load(EngineFile file, String where) {
        IRuntime runtime = createInferRuntime(TensorRtLogger.INSTANCE);
        ICudaEngine engine;
        try (BytePointer plan = new BytePointer(file.plan())) {
            engine = runtime.deserializeCudaEngine(plan, file.plan().length);
        }
        if (engine == null || engine.isNull()) {
            throw new EngineException("TensorRT cannot deserialize " + where + " (" + TensorRtLogger.INSTANCE.takeLastError()
                    + "); plans only run on the GPU model and TensorRT version they were built with: re-export it");
        }
        return new Loaded(runtime, engine);
    }

    static EngineInfo describe(ICudaEngine engine, OnnxModelFile model, Precision precision, String where) {
        String input = null;
        Map<String, Dims64> outputs = new LinkedHashMap<>();
        for (int i = 0; i < engine.getNbIOTensors(); i++) {
            String name = engine.getIOTensorName(i);
            if (engine.getTensorIOMode(name).value == TensorIOMode.kINPUT.value) { // JavaCPP enums: compare values, not instances
                input = name;
            } else {
                outputs.put(name, engine.getTensorShape(name));
            }
        }
        if (input == null || outputs.isEmpty()) {
            throw new ModelException(where + ": the engine needs an input and an output tensor");
        }
        Dims64 in = engine.getTensorShape(input);
        if (in.nbDims() != 4) {
            throw new ModelException(where + ": the input is not YOLO's [batch, 3, h, w]");
        }
        // a model exported with a fixed batch keeps it in the plan: no profile, the batch is the input's own
        boolean staticBatch = in.d(0) > 0;
        int maxBatch = staticBatch ? (int) in.d(0) : (int) engine.getProfileShape(input, 0, OptProfileSelector.kMAX).d(0);
        Dims64 detections = outputs.get(NmsHead.DETECTIONS);
        if (detections != null && outputs.containsKey(NmsHead.COUNT)) {
            if (detections.nbDims() != 3 || detections.d(2) != EngineInfo.DETECTION_FIELDS) {
                throw new ModelException(where + ": its detections output is not [batch, max, 6]");
            }
            return new EngineInfo(Backend.TENSORRT, precision, maxBatch, staticBatch, input, (int) in.d(2), (int) in.d(3),
                    NmsHead.DETECTIONS, DetectionHead.CLASSIC, EngineInfo.DETECTION_FIELDS, (int) detections.d(1),
                    (int) detections.d(1));
        }
        if (outputs.size() != 1) {
            throw new ModelException(where + ": expected one output tensor, or NMS outputs, found " + outputs.keySet());
        }
        String output = outputs.keySet().iterator().next();
        Dims64 out = outputs.get(output);
        long[] shape = new long[out.nbDims()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = out.d(i);
        }
        DetectionHead head = DetectionHead.of(shape, model.metadata(), where);
        return new EngineInfo(Backend.TENSORRT, precision, maxBatch, staticBatch, input, (int) in.d(2), (int) in.d(3),
                output, head, (int) shape[1], (int) shape[2], 0);
    }

    int device() {
        return device;
    }

    @Override
    public EngineInfo info() {
        return info;
    }

    @Override
    public OnnxModelFile model() {
        return model;
    }

    @Override
    public boolean cudaGraphs() {
        return cudaGraphs;
    }

    /** A session on pooled execution contexts (see {@link #LOADED}). */
    @Override
    public EngineSession openSession() {
        Cuda.setDevice(device);
        return new TensorRtSession(loaded.takeContexts(profiles.count()), loaded.contextMemoryBytes(), profiles, info, device,
                cudaGraphs, loaded::returnContexts);
    }

    /** The plan's optimisation profiles, by index. */
    public OptimizationProfiles profiles() {
        return profiles;
    }

    /** Idle execution context sets of this engine's plan (shared by every TensorRtEngine on it); for tests. */
    int idleContexts() {
        synchronized (loaded) {
            return loaded.idleContexts().size();
        }
    }

    /** Keeps the deserialized engine for reuse (see {@link #LOADED}); sessions must be closed first. */
    @Override
    public void close() {
        // nothing to free: the presets cannot destroy the engine, and a reopen reuses it
    }
}
