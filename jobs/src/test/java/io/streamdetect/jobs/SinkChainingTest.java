package io.streamdetect.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the detections' Kafka sink runs: in the detection task by default, in a task of its own with sink.chained=false. */
class SinkChainingTest {
    @TempDir
    Path work;

    private List<String> tasks(Boolean sinkChained) {
        Configuration c = TestJobConfigs.offline(work);
        if (sinkChained != null) {
            c.set(StreamingJobOptions.SINK_CHAINED, sinkChained);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        StreamingDetectionJob.build(env, c);
        Iterable<JobVertex> vertices = env.getStreamGraph().getJobGraph().getVertices();
        return StreamSupport.stream(vertices.spliterator(), false).map(JobVertex::getName).toList();
    }

    @Test
    void byDefaultTheSinkWritesOnTheThreadThatFeedsDetection() {
        assertThat(tasks(null)).anySatisfy(task -> assertThat(task).contains("detect", "kafka-detections: Writer"));
    }

    @Test
    void unchainedTheSinkHasATaskOfItsOwn() {
        List<String> tasks = tasks(false);
        assertThat(tasks).anySatisfy(task -> assertThat(task).contains("detect").doesNotContain("kafka-detections"));
        assertThat(tasks).contains("kafka-detections: Writer -> kafka-detections: Committer")
                .doesNotContain("kafka-detections: Committer");
    }
}
