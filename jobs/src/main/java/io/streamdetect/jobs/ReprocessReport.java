package io.streamdetect.jobs;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What a reprocess run did. Every input ends as exactly one detection record or one dead letter, so
 * {@code inputs = detectionRecords + deadLetters}.
 *
 * @param detectionRecords images processed (one DetectionRecord each, possibly with no objects)
 * @param objects          detected objects in those records
 * @param deadLetters      inputs that could not be processed, each with its reason
 * @param deadLettersByKind the dead letters per error kind (MALFORMED_RECORD, TRUNCATED_IMAGE, ...)
 * @param wallTime         from job submission to its end, as the submitter saw it
 */
public record ReprocessReport(long detectionRecords, long objects, long deadLetters, Map<String, Long> deadLettersByKind,
                              Duration wallTime) {

    public ReprocessReport {
        deadLettersByKind = Map.copyOf(deadLettersByKind);
    }

    public long inputs() {
        return detectionRecords + deadLetters;
    }

    public double imagesPerSecond() {
        return inputs() / Math.max(1e-9, wallTime.toNanos() / 1e9);
    }

    /**
     * One line for people: "read 200 images: 190 detection records (1,234 objects), 10 dead letters
     * (MALFORMED_RECORD 5, TRUNCATED_IMAGE 5) in 12.3 s (16.3 images/s)".
     */
    public String summary() {
        String kinds = deadLettersByKind.isEmpty() ? "" : new TreeMap<>(deadLettersByKind).entrySet().stream()
                .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", ", " (", ")"));
        return String.format(Locale.ROOT, "read %,d images: %,d detection records (%,d objects), %,d dead letters%s in "
                + "%.1f s (%.1f images/s)", inputs(), detectionRecords, objects, deadLetters, kinds,
                wallTime.toNanos() / 1e9, imagesPerSecond());
    }
}
