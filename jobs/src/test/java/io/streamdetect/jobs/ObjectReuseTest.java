package io.streamdetect.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both jobs turn Flink's object reuse on unless {@code pipeline.object-reuse} is set (see {@link ObjectReuse}). */
class ObjectReuseTest {
    @TempDir
    Path work;

    private Configuration streaming() {
        return TestJobConfigs.offline(work);
    }

    private static boolean built(Configuration flink, Configuration job) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
        StreamingDetectionJob.build(env, job);
        return env.getConfig().isObjectReuseEnabled();
    }

    @Test
    void theStreamingJobReusesObjectsByDefault() {
        assertThat(built(new Configuration(), streaming())).isTrue();
    }

    @Test
    void aSettingGivenWithTheJobTurnsReuseOff() {
        Configuration job = streaming();
        job.setString("pipeline.object-reuse", "false"); // as -D pipeline.object-reuse=false gives it
        assertThat(built(new Configuration(), job)).isFalse();
    }

    @Test
    void flinksOwnConfigurationIsRespected() {
        Configuration flink = new Configuration();
        flink.set(PipelineOptions.OBJECT_REUSE, false); // e.g. in the cluster's config.yaml
        assertThat(built(flink, streaming())).isFalse();
    }

    @Test
    void theReprocessJobReusesObjectsByDefault() {
        Configuration c = new Configuration();
        c.set(StreamingJobOptions.MODEL, "m.onnx");
        c.set(StreamingJobOptions.BACKEND, "onnxruntime");
        c.set(StreamingJobOptions.CAPACITY, 16);
        c.set(ReprocessJobOptions.INPUT_PATH, work.toString());
        c.set(ReprocessJobOptions.OUTPUT_PATH, work.resolve("out").toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        ReprocessJob.build(env, c);
        assertThat(env.getConfig().isObjectReuseEnabled()).isTrue();
    }
}
