package io.streamdetect.flink;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * The model swap's metrics, in the operator's group {@code streamdetect}: {@code modelName} and {@code modelHash}
 * (the sha256 of the model new images go to; strings, shown by Flink's REST API, web UI and JMX),
 * {@code modelHashPrefix} (its first 12 hex digits as a number, for reporters that take numbers only, such as
 * Prometheus), and the counters {@code modelSwaps} and {@code modelSwapsRefused}.
 */
final class ModelSwapMetrics {
    final Counter swaps;
    final Counter refused;
    private volatile String modelName = "";
    private volatile String modelHash = "";

    ModelSwapMetrics(MetricGroup parent) {
        MetricGroup group = parent.addGroup("streamdetect");
        swaps = group.counter("modelSwaps");
        refused = group.counter("modelSwapsRefused");
        group.gauge("modelName", () -> modelName);
        group.gauge("modelHash", () -> modelHash);
        group.gauge("modelHashPrefix", () -> modelHash.length() < 12 ? 0L : Long.parseLong(modelHash.substring(0, 12), 16));
    }

    void active(String name, String sha256) {
        modelName = name;
        modelHash = sha256;
    }
}
