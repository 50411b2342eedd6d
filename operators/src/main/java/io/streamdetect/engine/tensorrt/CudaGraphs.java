package io.streamdetect.engine.tensorrt;

import static org.bytedeco.cuda.global.cudart.*;

import io.streamdetect.TimedCount;
import io.streamdetect.cuda.Cuda;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.cuda.cudart.CUgraphExec_st;
import org.bytedeco.cuda.cudart.CUgraph_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session's CUDA graphs of its engine launches. A YOLO11n launch is about a hundred kernels; launched one by
 * one they cost more host time than a batch-1 run takes on the GPU, while a graph replays them with one call.
 * A graph is captured once per (profile, batch size, input address) on first use: the kernels' shapes and
 * pointers are baked into it. Only small batches, where launching costs as much as computing, run as graphs
 * ({@link #MAX_BATCH_PROPERTY}). The first run of each key runs the engine directly, which also lets TensorRT
 * finish any shape-dependent setup before the capture, as TensorRT asks.
 *
 * <p>A capture can fail (a plugin that synchronises, a driver that refuses); the session then runs every launch
 * directly and says why, once. Owned by one session and used only from the thread that runs it ({@link #captures}
 * may be read from any); {@link #close} destroys the graphs.
 */
final class CudaGraphs implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CudaGraphs.class);

    private record Key(int profile, int batch, long inputAddress) {}

    /**
     * System property: the largest batch launched as a graph (default {@value #DEFAULT_MAX_BATCH}). Larger batches
     * launch their kernels one by one: the launches' host time (~0.3 ms for YOLO11n) then hides behind the GPU time
     * of the batch (7.5 ms at 64 on an H200), so a graph gains little there, while every batch size a stream meets
     * costs a capture per input buffer: a saturated streaming job on an H200 met 91 of them, 448 ms of its 4.4 s.
     */
    static final String MAX_BATCH_PROPERTY = "streamdetect.tensorrt.cuda-graphs.max-batch";
    static final int DEFAULT_MAX_BATCH = 16;

    private final CUstream_st stream;
    private final String where;
    private final Map<Key, CUgraphExec_st> graphs = new HashMap<>();
    private final int maxBatch = Integer.getInteger(MAX_BATCH_PROPERTY, DEFAULT_MAX_BATCH);
    private String disabledBecause;
    /** Written by the running thread only; volatile so that a benchmark or metric may read them from another. */
    private volatile long captures;
    private volatile long captureNanos;

    CudaGraphs(CUstream_st stream, String where) {
        this.stream = stream;
        this.where = where;
    }

    /**
     * Runs the engine once on the stream: replays the graph of this key, or runs {@code launch} (TensorRT's
     * enqueue) and captures it into a graph for the next run of the same key.
     */
    void run(int profile, int batch, long inputAddress, Runnable launch) {
        if (disabledBecause != null || batch > maxBatch) {
            launch.run();
            return;
        }
        Key key = new Key(profile, batch, inputAddress);
        CUgraphExec_st graph = graphs.get(key);
        if (graph != null) {
            Cuda.check(cudaGraphLaunch(graph, stream), "cudaGraphLaunch");
            return;
        }
        launch.run();
        capture(key, launch);
    }

    /**
     * The batch sizes from {@code smallest} to {@code largest} that run as graphs, for a session to capture before it
     * serves; none once capture has failed.
     */
    int[] warmUpSizes(int smallest, int largest) {
        return disabledBecause != null ? new int[0]
                : java.util.stream.IntStream.rangeClosed(smallest, Math.min(largest, maxBatch)).toArray();
    }

    /** Graphs captured so far. */
    int size() {
        return graphs.size();
    }

    /** Captures attempted so far and the time they took (see {@link #capture}). */
    TimedCount captures() {
        return new TimedCount(captures, captureNanos);
    }

    /** Why graphs are off for this session, or null while they are on. */
    String disabledBecause() {
        return disabledBecause;
    }

    /**
     * Captures {@code launch} without running it; on failure turns graphs off for the session. Timed from after the
     * direct run has finished (its GPU time is the run's, not the capture's) to the instantiated graph.
     */
    private void capture(Key key, Runnable launch) {
        // capture records work instead of running it: the run just queued must not be part of it
        Cuda.check(cudaStreamSynchronize(stream), "cudaStreamSynchronize before a graph capture");
        long start = System.nanoTime();
        try {
            captureTimed(key, launch);
        } finally {
            captureNanos += System.nanoTime() - start; // one writing thread: no lost update
            captures++;
        }
    }

    private void captureTimed(Key key, Runnable launch) {
        int status = cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal);
        if (status != cudaSuccess) {
            disable("cudaStreamBeginCapture: " + cudaGetErrorString(status).getString());
            return;
        }
        RuntimeException launchError = null;
        try {
            launch.run();
        } catch (RuntimeException e) {
            launchError = e;
        }
        CUgraph_st captured = new CUgraph_st();
        status = cudaStreamEndCapture(stream, captured); // always: it also takes the stream out of capture mode
        if (launchError != null || status != cudaSuccess) {
            destroy(captured);
            cudaGetLastError(); // a failed capture leaves a (non-sticky) error: clear it for the next checked call
            disable(launchError != null ? "TensorRT's enqueue cannot be captured: " + launchError.getMessage()
                    : "cudaStreamEndCapture: " + cudaGetErrorString(status).getString());
            return;
        }
        CUgraphExec_st exec = new CUgraphExec_st();
        status = cudaGraphInstantiate(exec, captured, 0L);
        destroy(captured);
        if (status != cudaSuccess) {
            cudaGetLastError();
            disable("cudaGraphInstantiate: " + cudaGetErrorString(status).getString());
            return;
        }
        graphs.put(key, exec);
    }

    private static void destroy(CUgraph_st graph) {
        if (!graph.isNull()) {
            cudaGraphDestroy(graph);
            graph.setNull();
        }
    }

    private void disable(String why) {
        disabledBecause = why;
        LOG.warn("CUDA graphs are off for {}: {}; its engine launches its kernels one by one instead (slower at small "
                + "batches; set tensorrt.cuda-graphs=false to skip the attempt)", where, why);
    }

    @Override
    public void close() {
        for (CUgraphExec_st graph : graphs.values()) {
            cudaGraphExecDestroy(graph);
            graph.setNull();
        }
        graphs.clear();
    }
}
