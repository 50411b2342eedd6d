package io.streamdetect.jobs;

import java.time.Duration;
import java.util.Locale;

/**
 * What a reprocess run did. Every input ends as exactly one detection record or one dead letter, so
 * {@code inputs = detectionRecords + deadLetters}.
 *
 * @param detectionRecords images processed (one DetectionRecord each, possibly with no objects)
 * @param objects          detected objects in those records
 * @param deadLetters      inputs that could not be processed, each with its reason
 * @param wallTime         from job submission to its end, as the submitter saw it
 */
public record ReprocessReport(long detectionRecords, long objects, long deadLetters, Duration wallTime) {

    public long inputs() {
        return detectionRecords + deadLetters;
    }

    public double imagesPerSecond() {
        return inputs() / Math.max(1e-9, wallTime.toNanos() / 1e9);
    }

    /** One line for people: "read 200 images: 190 detection records (1,234 objects), 10 dead letters in 12.3 s (16.3 images/s)". */
    public String summary() {
        return String.format(Locale.ROOT, "read %,d images: %,d detection records (%,d objects), %,d dead letters in %.1f s "
                + "(%.1f images/s)", inputs(), detectionRecords, objects, deadLetters, wallTime.toNanos() / 1e9,
                imagesPerSecond());
    }
}
