package io.streamdetect.flink;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The operator's Flink metrics, in group {@code streamdetect}: batchSize, queueWaitMicros, inferenceMicros,
 * latencyMicros and endToEndLatencyMillis histograms, imagesPerSecond meter, detections and deadLetters counters,
 * inFlight, timeoutsWhileBehind and gpuMemoryBytes gauges. All thread-safe: outcomes arrive from the micro-batcher's
 * inference thread and its decode pool's threads at once.
 */
final class DetectionMetrics {
    private static final int HISTOGRAM_WINDOW = 1000;

    final Histogram batchSize;
    final Histogram queueWaitMicros;
    final Histogram inferenceMicros;
    /** The operator's part: from the image reaching it (asyncInvoke) to its result, on one clock. */
    final Histogram latencyMicros;
    /**
     * Ingest to result: from the ImageRecord's {@code eventTime} (the Flink timestamp the Kafka source gives it;
     * {@code produce} sets it when it sends, a camera when it captures) to the operator's result, in wall-clock ms.
     * Includes Kafka and the source, and any clock difference between producer and TaskManager; images without an
     * event time (0) are left out.
     */
    final Histogram endToEndLatencyMillis;
    final Counter images;
    final Meter imagesPerSecond;
    final Counter deadLetters;
    final Counter detections;
    final AtomicInteger inFlight = new AtomicInteger();
    private final MetricGroup group;

    DetectionMetrics(MetricGroup parent) {
        group = parent.addGroup("streamdetect");
        batchSize = group.histogram("batchSize", histogram());
        queueWaitMicros = group.histogram("queueWaitMicros", histogram());
        inferenceMicros = group.histogram("inferenceMicros", histogram());
        latencyMicros = group.histogram("latencyMicros", histogram());
        endToEndLatencyMillis = group.histogram("endToEndLatencyMillis", histogram());
        images = group.counter("images", new ThreadSafeSimpleCounter());
        imagesPerSecond = group.meter("imagesPerSecond", new MeterView(images));
        deadLetters = group.counter("deadLetters", new ThreadSafeSimpleCounter());
        detections = group.counter("detections", new ThreadSafeSimpleCounter());
        group.gauge("inFlight", inFlight::get);
    }

    /** An image's result, {@code sinceInvokeNanos} after it reached the operator; {@code eventTimeMillis} 0: none. */
    void resultFor(long eventTimeMillis, long sinceInvokeNanos) {
        latencyMicros.update(sinceInvokeNanos / 1000);
        if (eventTimeMillis > 0) {
            endToEndLatencyMillis.update(Math.max(0, System.currentTimeMillis() - eventTimeMillis));
        }
    }

    /**
     * Gauge {@code timeoutsWhileBehind}: timeouts that found their image waiting behind others while the slot's engine
     * kept running batches (see {@link io.streamdetect.batching.Backlog}); growing, the slot holds more images than it
     * detects in a timeout.
     */
    void timeoutsWhileBehind(java.util.function.LongSupplier count) {
        group.gauge("timeoutsWhileBehind", count::getAsLong);
    }

    /**
     * Gauge {@code gpuMemoryBytes}: GPU memory this slot holds for its engine sessions (activations, input and
     * output buffers) and GPU input batches, from their sizes (0 on the CPU). nvJPEG's own pools are not in it.
     */
    void gpuMemoryBytes(java.util.function.LongSupplier bytes) {
        group.gauge("gpuMemoryBytes", bytes::getAsLong);
    }

    private static Histogram histogram() {
        return new SynchronizedHistogram(new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
    }
}
