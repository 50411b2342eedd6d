package io.streamdetect.jobs.kafka;

import java.util.Locale;

/**
 * The Kafka timestamp the jobs give the records they write. It decides how long a broker keeps them: time-based
 * retention ({@code retention.ms}) counts from this timestamp, not from when the record arrived.
 */
public enum OutputTimestamp {
    /**
     * When the record is written (the producer's clock). The default: outputs live as long as the topic's retention
     * says, whatever the age of the image. The image's event time stays in the record's {@code eventTime} field.
     */
    WRITE_TIME,
    /**
     * The image's event time (the Flink record timestamp). Only for topics whose retention covers the event
     * times: a record older than {@code retention.ms} (an archive being reprocessed, an image sent without
     * {@code eventTime}, which is then 1970) is deleted at the broker's next retention check, minutes after it
     * was committed.
     */
    EVENT_TIME;

    /** Parses {@code write-time} or {@code event-time} (case and {@code _}/{@code -} insensitive). */
    public static OutputTimestamp parse(String value) {
        String v = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (OutputTimestamp t : values()) {
            if (t.name().equals(v)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown output timestamp '" + value + "': use write-time or event-time");
    }
}
