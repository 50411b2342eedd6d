package io.streamdetect.swap;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/**
 * A model a slot switched to through {@code model.watch}: kept in the operator's state, so that a restart from a
 * checkpoint comes back on it instead of the configured {@code model}.
 *
 * @param path           the model file, as the watcher found it
 * @param fileSha256     sha256 of the file's bytes when it was accepted; a file changed since is not used
 * @param acceptedMillis when it was accepted: among several slots' entries the latest wins
 */
public record AcceptedModel(String path, String fileSha256, long acceptedMillis) {
    private static final String SEPARATOR = "\t";

    /** One line for the operator's state: millis, sha256, path (last, as it may hold any character but a tab). */
    public String encode() {
        return acceptedMillis + SEPARATOR + fileSha256 + SEPARATOR + path;
    }

    public static AcceptedModel decode(String line) {
        String[] parts = line.split(SEPARATOR, 3);
        if (parts.length != 3) {
            throw new IllegalArgumentException("not an accepted model entry: " + line);
        }
        return new AcceptedModel(parts[2], parts[1], Long.parseLong(parts[0]));
    }

    /** The latest accepted of the entries restored from every slot (union state); empty when none was. */
    public static Optional<AcceptedModel> latest(Collection<String> lines) {
        return lines.stream().map(AcceptedModel::decode).max(Comparator.comparingLong(AcceptedModel::acceptedMillis));
    }
}
