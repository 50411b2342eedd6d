package io.streamdetect.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.RecoveryClaimMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where checkpoints go, what the job refuses, and which retained checkpoint a local re-run resumes from. */
class CheckpointSettingsTest {

    private static Configuration job() {
        Configuration c = new Configuration();
        c.set(StreamingJobOptions.BOOTSTRAP_SERVERS, "localhost:9092");
        c.set(StreamingJobOptions.MODEL, "m.onnx");
        c.set(StreamingJobOptions.BACKEND, "onnxruntime");
        return c;
    }

    @Test
    void theDefaultsWithoutACheckpointDirectoryAreRefusedWithTheSettingsToChange() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        assertThatThrownBy(() -> StreamingDetectionJob.build(env, job()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("checkpoints cannot hold the images in flight: each slot checkpoints up to capacity x "
                        + "decode.max-bytes = 64 x 32 MiB = 2 GiB, but checkpoints are kept in the JobManager's memory "
                        + "(no checkpoint directory, or execution.checkpointing.storage=jobmanager), which takes at most "
                        + "5 MiB per slot: every checkpoint would fail and the job would restart in a loop. Set checkpoint.dir (--checkpoint-dir DIR, a "
                        + "directory the JobManager and every TaskManager can reach: file:///..., s3://..., hdfs://...) "
                        + "or Flink's execution.checkpointing.dir; or lower capacity and decode.max-bytes so that their "
                        + "product stays under 5 MiB.");
    }

    /** The first trigger comes at least min-pause after the start: not while the Kafka source and sinks start. */
    @Test
    void theFirstCheckpointWaitsHalfAnIntervalUnlessMinPauseIsGiven(@TempDir Path dir) {
        Configuration c = job();
        c.set(StreamingJobOptions.CHECKPOINT_DIR, dir.toUri().toString());
        assertThat(built(c).getCheckpointConfig().getMinPauseBetweenCheckpoints()).isEqualTo(2500);
        c.setString(CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS.key(), "100 ms");
        assertThat(built(c).getCheckpointConfig().getMinPauseBetweenCheckpoints()).isEqualTo(100);
    }

    private static StreamExecutionEnvironment built(Configuration job) {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        StreamingDetectionJob.build(env, job);
        return env;
    }

    @Test
    void memoryStorageNamedExplicitlyIsRefusedEvenWithADirectory(@TempDir Path dir) {
        Configuration c = job();
        c.set(StreamingJobOptions.CHECKPOINT_DIR, dir.toUri().toString());
        c.setString(CheckpointingOptions.CHECKPOINT_STORAGE.key(), "jobmanager");
        assertThatThrownBy(() -> StreamingDetectionJob.build(StreamExecutionEnvironment.getExecutionEnvironment(), c))
                .hasMessageContaining("capacity x decode.max-bytes = 64 x 32 MiB");
    }

    @Test
    void aCheckpointDirectoryOrSmallEnoughStateIsAccepted(@TempDir Path dir) {
        Configuration withDir = job();
        withDir.set(StreamingJobOptions.CHECKPOINT_DIR, dir.toUri().toString());
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        StreamingDetectionJob.build(env, withDir);
        assertThat(env.getConfiguration().get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isEqualTo(dir.toUri().toString());
        assertThat(env.getCheckpointConfig().getExternalizedCheckpointRetention())
                .isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);

        Configuration small = job(); // 8 images of at most 512 KiB: 4 MiB fits the JobManager's 5 MB
        small.set(StreamingJobOptions.CAPACITY, 8);
        small.set(StreamingJobOptions.MAX_BYTES, 512L * 1024);
        StreamingDetectionJob.build(StreamExecutionEnvironment.getExecutionEnvironment(), small);
    }

    @Test
    void flinkCheckpointKeysPassThroughAndARestoreClaimsItsCheckpoint() {
        Configuration c = job();
        c.setString("execution.state-recovery.path", "file:///ckpt/job/chk-7");
        c.setString("execution.checkpointing.dir", "s3://bucket/ckpt");
        c.setString("batch.max-size", "8");
        Configuration flink = StreamingDetectionJob.checkpointing(c);
        assertThat(flink.get(StateRecoveryOptions.SAVEPOINT_PATH)).isEqualTo("file:///ckpt/job/chk-7");
        assertThat(flink.get(StateRecoveryOptions.RESTORE_MODE)).isEqualTo(RecoveryClaimMode.CLAIM);
        assertThat(flink.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isEqualTo("s3://bucket/ckpt");
        assertThat(flink.toMap()).doesNotContainKey("batch.max-size");
    }

    @Test
    void theLocalDefaultFolderIsKeyedByTheJobsDataSoTheSameCommandFindsIt() {
        Configuration a = job();
        Configuration b = job();
        assertThat(LocalCheckpoints.defaultDir(a)).isEqualTo(LocalCheckpoints.defaultDir(b));
        assertThat(LocalCheckpoints.defaultDir(a).getFileName().toString()).startsWith("streamdetect-");
        assertThat(LocalCheckpoints.defaultDir(a).getParent().getFileName().toString()).isEqualTo("checkpoints");
        b.set(StreamingJobOptions.INPUT_TOPIC, "other-images");
        assertThat(LocalCheckpoints.defaultDir(b)).isNotEqualTo(LocalCheckpoints.defaultDir(a));
        Configuration bounded = job();
        bounded.set(StreamingJobOptions.BOUNDED, true);
        assertThat(LocalCheckpoints.defaultDir(bounded)).isNotEqualTo(LocalCheckpoints.defaultDir(a));
    }

    @Test
    void aLocalRunResumesFromTheNewestCompletedCheckpoint(@TempDir Path dir) throws Exception {
        Configuration c = job();
        c.set(StreamingJobOptions.CHECKPOINT_DIR, dir.toUri().toString());
        assertThat(LocalCheckpoints.prepare(c)).isEmpty();
        assertThat(c.contains(StateRecoveryOptions.SAVEPOINT_PATH)).isFalse();

        Path older = completed(dir.resolve("job-a/chk-12"), 1_000);
        Path newer = completed(dir.resolve("job-b/chk-3"), 2_000);
        Files.createDirectories(dir.resolve("job-b/chk-4")); // being written when the process died: no _metadata
        Files.createDirectories(dir.resolve("job-b/shared"));
        assertThat(LocalCheckpoints.newestRetained(dir)).contains(newer);
        assertThat(LocalCheckpoints.prepare(c)).contains(newer);
        assertThat(c.get(StateRecoveryOptions.SAVEPOINT_PATH)).isEqualTo(newer.toUri().toString());
        assertThat(older).exists();
    }

    @Test
    void withoutACheckpointDirALocalRunGetsTheCacheFolder() {
        Configuration c = job();
        LocalCheckpoints.prepare(c);
        assertThat(c.get(StreamingJobOptions.CHECKPOINT_DIR)).isEqualTo(LocalCheckpoints.defaultDir(c).toUri().toString());
    }

    private static Path completed(Path checkpoint, long modifiedMillis) throws Exception {
        Files.createDirectories(checkpoint);
        Path metadata = Files.write(checkpoint.resolve("_metadata"), new byte[] {1});
        Files.setLastModifiedTime(metadata, FileTime.fromMillis(modifiedMillis));
        return checkpoint;
    }
}
