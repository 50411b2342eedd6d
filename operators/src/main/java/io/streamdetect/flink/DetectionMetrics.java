package io.streamdetect.flink;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Meter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The operator's Flink metrics, in group {@code streamdetect}: batchSize, queueWaitMicros and inferenceMicros
 * histograms, imagesPerSecond meter, detections and deadLetters counters, inFlight gauge.
 */
final class DetectionMetrics {
    private static final int HISTOGRAM_WINDOW = 1000;

    final Histogram batchSize;
    final Histogram queueWaitMicros;
    final Histogram inferenceMicros;
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
        images = group.counter("images");
        imagesPerSecond = group.meter("imagesPerSecond", new MeterView(images));
        deadLetters = group.counter("deadLetters");
        detections = group.counter("detections");
        group.gauge("inFlight", inFlight::get);
    }
}
