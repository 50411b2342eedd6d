package io.streamdetect.flink;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The operator's Flink metrics, in group {@code streamdetect}: batchSize, queueWaitMicros, inferenceMicros,
 * latencyMicros and endToEndLatencyMillis histograms, imagesPerSecond meter, detections and deadLetters counters,
 * inFlight gauge.
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

    DetectionMetrics(MetricGroup parent) {
        MetricGroup group = parent.addGroup("streamdetect");
        batchSize = group.histogram("batchSize", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        queueWaitMicros = group.histogram("queueWaitMicros", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        inferenceMicros = group.histogram("inferenceMicros", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        latencyMicros = group.histogram("latencyMicros", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        endToEndLatencyMillis = group.histogram("endToEndLatencyMillis", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        images = group.counter("images");
        imagesPerSecond = group.meter("imagesPerSecond", new MeterView(images));
        deadLetters = group.counter("deadLetters");
        detections = group.counter("detections");
        group.gauge("inFlight", inFlight::get);
    }

    /** An image's result, {@code sinceInvokeNanos} after it reached the operator; {@code eventTimeMillis} 0: none. */
    void resultFor(long eventTimeMillis, long sinceInvokeNanos) {
        latencyMicros.update(sinceInvokeNanos / 1000);
        if (eventTimeMillis > 0) {
            endToEndLatencyMillis.update(Math.max(0, System.currentTimeMillis() - eventTimeMillis));
        }
    }
}
