package io.streamdetect.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.checkpoint.CheckpointException;
import org.apache.flink.runtime.checkpoint.CheckpointFailureReason;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two lines Flink 2.2's CheckpointFailureManager logs for a failed checkpoint, sent through slf4j and log4j as
 * Flink sends them, come back with their job, checkpoint and reason.
 */
class CheckpointFailureLogTest {
    @Test
    void readsTriggerFailuresWithoutAnIdAndFailuresOfPendingCheckpoints() {
        Logger flink = LoggerFactory.getLogger(CheckpointFailureLog.LOGGER);
        JobID job = new JobID();
        JobID other = new JobID();
        try (CheckpointFailureLog log = new CheckpointFailureLog()) {
            // as CheckpointFailureManager.handleCheckpointException logs them
            flink.info("Failed to trigger checkpoint for job {} since {}.", job,
                    "task detection (1/1) of job " + job + " is not being executed at the moment. Aborting checkpoint.");
            flink.warn("Failed to trigger or complete checkpoint {} for job {}. ({} consecutive failed attempts so far)",
                    7L, job, 1, new CheckpointException(CheckpointFailureReason.CHECKPOINT_DECLINED_TASK_CLOSING));
            flink.warn("Failed to trigger or complete checkpoint {} for job {}. ({} consecutive failed attempts so far)",
                    3L, other, 1, new CheckpointException(CheckpointFailureReason.CHECKPOINT_EXPIRED));
            assertThat(log.of(job)).containsExactly(
                    new CheckpointFailureLog.Failure(job.toString(), "not triggered",
                            "task detection (1/1) of job " + job + " is not being executed at the moment. Aborting checkpoint."),
                    new CheckpointFailureLog.Failure(job.toString(), "checkpoint 7",
                            CheckpointFailureReason.CHECKPOINT_DECLINED_TASK_CLOSING.message()));
            assertThat(log.of(other)).extracting(CheckpointFailureLog.Failure::checkpoint).containsExactly("checkpoint 3");
        }
        flink.info("Failed to trigger checkpoint for job {} since {}.", job, "after close: not collected");
    }
}
