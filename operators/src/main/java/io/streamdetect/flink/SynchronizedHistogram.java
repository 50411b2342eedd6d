package io.streamdetect.flink;

import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.HistogramStatistics;

/**
 * A histogram several threads may update at once: the micro-batcher reports outcomes from its inference thread
 * and the decode pool's threads, while the metric reporter reads. Flink's own histograms are not thread-safe.
 */
final class SynchronizedHistogram implements Histogram {
    private final Histogram histogram;

    SynchronizedHistogram(Histogram histogram) {
        this.histogram = histogram;
    }

    @Override
    public synchronized void update(long value) {
        histogram.update(value);
    }

    @Override
    public synchronized long getCount() {
        return histogram.getCount();
    }

    @Override
    public synchronized HistogramStatistics getStatistics() {
        return histogram.getStatistics();
    }
}
