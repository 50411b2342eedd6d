package io.streamdetect.flink;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

class DetectionMetricsTest {

    /** Issue 18: ingest (the record's event time) to result, and the operator's own part, per image. */
    @Test
    void aResultRecordsTheOperatorsLatencyAndTheLatencySinceTheImagesEventTime() {
        DetectionMetrics metrics = new DetectionMetrics(new UnregisteredMetricsGroup());
        long eventTime = System.currentTimeMillis() - 250;

        metrics.resultFor(eventTime, 3_000_000);

        assertThat(metrics.latencyMicros.getStatistics().getMax()).isEqualTo(3000);
        assertThat(metrics.endToEndLatencyMillis.getCount()).isOne();
        assertThat(metrics.endToEndLatencyMillis.getStatistics().getMin()).isGreaterThanOrEqualTo(250);
    }

    /** An image without an event time (the schema's default, 1970) would read as 56 years: left out. */
    @Test
    void anImageWithoutAnEventTimeCountsForTheOperatorsLatencyOnly() {
        DetectionMetrics metrics = new DetectionMetrics(new UnregisteredMetricsGroup());

        metrics.resultFor(0, 1_000_000);

        assertThat(metrics.latencyMicros.getCount()).isOne();
        assertThat(metrics.endToEndLatencyMillis.getCount()).isZero();
    }

    /** A producer clock ahead of the TaskManager's gives no negative latency. */
    @Test
    void anEventTimeInTheFutureCountsAsNoDelay() {
        DetectionMetrics metrics = new DetectionMetrics(new UnregisteredMetricsGroup());

        metrics.resultFor(System.currentTimeMillis() + 60_000, 1_000);

        assertThat(metrics.endToEndLatencyMillis.getStatistics().getMax()).isZero();
    }
}
