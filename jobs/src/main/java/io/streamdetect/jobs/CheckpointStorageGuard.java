package io.streamdetect.jobs;

import java.util.Locale;
import java.util.Optional;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.runtime.state.storage.JobManagerCheckpointStorage;

/**
 * Refuses, at job build, a job whose checkpoints cannot hold the images it has in flight. The detection operator
 * is asynchronous: every checkpoint stores the images of each slot that are still waiting for their batch or
 * being processed, up to {@code capacity} per slot, each up to {@code decode.max-bytes}. Without a checkpoint
 * directory Flink keeps checkpoints in the JobManager's memory, which refuses more than 5 MB per slot; every
 * checkpoint then fails, the job restarts from the last good one and loops without ever committing (issue 14:
 * 512 images of 50 KB, 25.8 MB, on a GPU). A file system (checkpoint.dir) holds any size.
 */
final class CheckpointStorageGuard {
    /** The most a memory-backed (JobManager) checkpoint takes per slot; Flink has no setting for it. */
    static final long MEMORY_STORAGE_MAX_BYTES = JobManagerCheckpointStorage.DEFAULT_MAX_STATE_SIZE;

    private CheckpointStorageGuard() {}

    /**
     * @param capacity images in flight per slot
     * @param maxBytes largest encoded image accepted ({@code decode.max-bytes})
     * @param flink    Flink's settings as the job will see them: the environment's, with checkpoint.dir applied
     * @throws IllegalArgumentException naming the settings to change
     */
    static void check(int capacity, long maxBytes, ReadableConfig flink) {
        if (!memoryBacked(flink)) {
            return;
        }
        long inFlight = capacity * maxBytes;
        if (inFlight <= MEMORY_STORAGE_MAX_BYTES) {
            return;
        }
        throw new IllegalArgumentException(String.format(Locale.ROOT,
                "checkpoints cannot hold the images in flight: each slot checkpoints up to capacity x decode.max-bytes"
                        + " = %d x %s = %s, but checkpoints are kept in the JobManager's memory (no checkpoint directory, or"
                        + " %s=jobmanager), which takes at most %s per slot: every checkpoint would fail and the job"
                        + " would restart in a loop. Set %s (--checkpoint-dir DIR, a directory the JobManager and every"
                        + " TaskManager can reach: file:///..., s3://..., hdfs://...) or Flink's %s; or lower %s and"
                        + " %s so that their product stays under %s.",
                capacity, size(maxBytes), size(inFlight), CheckpointingOptions.CHECKPOINT_STORAGE.key(),
                size(MEMORY_STORAGE_MAX_BYTES),
                StreamingJobOptions.CHECKPOINT_DIR.key(), CheckpointingOptions.CHECKPOINTS_DIRECTORY.key(),
                StreamingJobOptions.CAPACITY.key(), StreamingJobOptions.MAX_BYTES.key(), size(MEMORY_STORAGE_MAX_BYTES)));
    }

    /**
     * As Flink's CheckpointStorageLoader decides: "jobmanager" storage, or no storage named and no checkpoint
     * directory. A storage class of the user's own is trusted.
     */
    static boolean memoryBacked(ReadableConfig flink) {
        Optional<String> storage = flink.getOptional(CheckpointingOptions.CHECKPOINT_STORAGE);
        if (storage.isPresent()) {
            return storage.get().trim().equalsIgnoreCase("jobmanager");
        }
        return flink.getOptional(CheckpointingOptions.CHECKPOINTS_DIRECTORY).isEmpty();
    }

    /** 2 GiB, 32 MiB, 1.5 MiB, 512 KiB. */
    static String size(long bytes) {
        String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        String number = String.format(Locale.ROOT, "%.1f", value).replaceAll("\\.0$", "");
        return number + " " + units[unit];
    }
}
