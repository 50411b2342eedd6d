package io.streamdetect.jobs;

import static io.streamdetect.jobs.StreamingJobOptions.*;

import io.streamdetect.jobs.demo.SampleAssets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateRecoveryOptions;

/**
 * Checkpoints of a {@code stream} run on a local Flink environment (started from the command line, not
 * submitted to a cluster): they go to a folder under the cache directory unless {@code checkpoint.dir} says
 * otherwise, one folder per job identity (brokers, topics, group), so running the same command again finds
 * them; and the run resumes from the newest checkpoint retained there, so stopping the command (Ctrl-C, kill -9, a
 * crash) and starting it again loses nothing and writes nothing twice.
 */
public final class LocalCheckpoints {
    private LocalCheckpoints() {}

    /**
     * Sets {@code checkpoint.dir} where it is missing and, when a checkpoint was retained there and no restore
     * path is given, Flink's {@code execution.state-recovery.path} to it.
     *
     * @return the checkpoint the run resumes from, if any
     */
    public static Optional<Path> prepare(Configuration config) {
        if (!config.contains(CHECKPOINT_DIR)) {
            config.set(CHECKPOINT_DIR, defaultDir(config).toUri().toString());
        }
        if (config.contains(StateRecoveryOptions.SAVEPOINT_PATH)) {
            return Optional.empty();
        }
        Optional<Path> newest = localPath(config.get(CHECKPOINT_DIR)).flatMap(LocalCheckpoints::newestRetained);
        newest.ifPresent(chk -> config.set(StateRecoveryOptions.SAVEPOINT_PATH, chk.toUri().toString()));
        return newest;
    }

    /**
     * {@code $STREAMDETECT_CACHE/checkpoints/GROUP-HASH}, the hash over what identifies the job's data and whether it
     * is bounded (a bounded run cannot resume an unbounded run's source state: its splits would never end).
     */
    static Path defaultDir(Configuration config) {
        String identity = String.join("\n", config.get(BOOTSTRAP_SERVERS), config.get(INPUT_TOPIC),
                config.get(OUTPUT_TOPIC), config.get(DEAD_LETTER_TOPIC), config.get(GROUP_ID),
                String.valueOf(config.get(BOUNDED)));
        String group = config.get(GROUP_ID).replaceAll("[^A-Za-z0-9._-]", "_");
        return SampleAssets.defaultCacheDir().resolve("checkpoints").resolve(group + "-" + sha256(identity).substring(0, 12));
    }

    /**
     * The completed checkpoint ({@code JOB_ID/chk-N} holding its {@code _metadata}) written last under {@code dir};
     * empty when there is none. Checkpoints being written when the process died have no {@code _metadata} yet.
     */
    static Optional<Path> newestRetained(Path dir) {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> jobs = Files.list(dir)) {
            return jobs.filter(Files::isDirectory).flatMap(LocalCheckpoints::completedCheckpoints)
                    .max(Comparator.comparing(LocalCheckpoints::modified).thenComparing(LocalCheckpoints::number));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the checkpoints in " + dir, e);
        }
    }

    private static Stream<Path> completedCheckpoints(Path jobDir) {
        try (Stream<Path> children = Files.list(jobDir)) {
            return children.filter(p -> p.getFileName().toString().matches("chk-\\d+"))
                    .filter(p -> Files.isRegularFile(p.resolve("_metadata"))).toList().stream();
        } catch (IOException e) {
            return Stream.empty(); // a job folder Flink is deleting right now
        }
    }

    private static FileTime modified(Path checkpoint) {
        try {
            return Files.getLastModifiedTime(checkpoint.resolve("_metadata"));
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    private static long number(Path checkpoint) {
        return Long.parseLong(checkpoint.getFileName().toString().substring("chk-".length()));
    }

    /** The local folder a {@code file:} URI or plain path names; empty for other file systems. */
    static Optional<Path> localPath(String dir) {
        if (dir.startsWith("file:")) {
            return Optional.of(Path.of(URI.create(dir)));
        }
        return dir.contains("://") ? Optional.empty() : Optional.of(Path.of(dir));
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
