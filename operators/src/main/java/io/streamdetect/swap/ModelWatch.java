package io.streamdetect.swap;

import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where a running job looks for replacement models ({@code model.watch}) and how often: a model file that is
 * rewritten in place, or a directory of versioned model files of which the newest counts (see
 * {@link ModelCandidates#newest}).
 *
 * @param path     a model file or a directory, on every TaskManager
 * @param interval time between two looks
 */
public record ModelWatch(String path, Duration interval) implements Serializable {
    public ModelWatch {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(interval, "interval");
        if (path.isBlank()) {
            throw new IllegalArgumentException("the watched model path is empty");
        }
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("the watch interval must be positive, got " + interval);
        }
    }

    public Path location() {
        return Path.of(path);
    }
}
