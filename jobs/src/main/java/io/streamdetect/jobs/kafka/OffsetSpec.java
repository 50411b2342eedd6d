package io.streamdetect.jobs.kafka;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;

/**
 * Where a Kafka read starts or stops, as users write it:
 * <ul>
 *   <li>{@code earliest}, {@code latest}; {@code committed} (start only: the group's offsets, else earliest)</li>
 *   <li>{@code timestamp:2026-11-01T00:00:00Z} or {@code timestamp:1761955200000}: the first record at or after
 *       that time (Kafka record timestamps)</li>
 *   <li>{@code 0:1200,1:1180}: explicit offsets per partition; a stop offset is exclusive</li>
 * </ul>
 */
public final class OffsetSpec {
    private static final String TIMESTAMP = "timestamp:";

    private OffsetSpec() {}

    /** Where to start reading {@code topic}. */
    public static OffsetsInitializer starting(String spec, String topic) {
        return parse(spec, topic, "starting-offsets", true);
    }

    /** Where to stop reading {@code topic} (exclusive). */
    public static OffsetsInitializer stopping(String spec, String topic) {
        return parse(spec, topic, "stopping-offsets", false);
    }

    private static OffsetsInitializer parse(String spec, String topic, String key, boolean start) {
        String s = spec == null ? "" : spec.trim();
        String lower = s.toLowerCase(Locale.ROOT);
        switch (lower) {
            case "earliest":
                return OffsetsInitializer.earliest();
            case "latest":
                return OffsetsInitializer.latest();
            case "committed":
                if (start) {
                    return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
                }
                throw new IllegalArgumentException(key + " cannot be 'committed'; use latest, timestamp:TIME or "
                        + "PARTITION:OFFSET,...");
            default:
                break;
        }
        if (lower.startsWith(TIMESTAMP)) {
            return OffsetsInitializer.timestamp(timestamp(s.substring(TIMESTAMP.length()).trim(), key));
        }
        if (s.contains(":")) {
            return OffsetsInitializer.offsets(partitionOffsets(s, topic, key),
                    start ? OffsetResetStrategy.EARLIEST : OffsetResetStrategy.LATEST);
        }
        throw new IllegalArgumentException(key + " '" + spec + "' is not one of: earliest, latest"
                + (start ? ", committed" : "") + ", timestamp:2026-11-01T00:00:00Z, timestamp:EPOCH_MILLIS, "
                + "PARTITION:OFFSET[,PARTITION:OFFSET...]");
    }

    static long timestamp(String value, String key) {
        try {
            return value.chars().allMatch(Character::isDigit) ? Long.parseLong(value) : Instant.parse(value).toEpochMilli();
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IllegalArgumentException(key + ": '" + value + "' is neither epoch milliseconds nor an ISO-8601 "
                    + "instant like 2026-11-01T00:00:00Z", e);
        }
    }

    static Map<TopicPartition, Long> partitionOffsets(String spec, String topic, String key) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        for (String part : spec.split(",")) {
            String[] po = part.trim().split(":");
            try {
                if (po.length != 2) {
                    throw new NumberFormatException();
                }
                int partition = Integer.parseInt(po[0].trim());
                long offset = Long.parseLong(po[1].trim());
                if (partition < 0 || offset < 0) {
                    throw new NumberFormatException();
                }
                if (offsets.put(new TopicPartition(topic, partition), offset) != null) {
                    throw new IllegalArgumentException(key + ": partition " + partition + " is given twice");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + ": '" + part.trim() + "' is not PARTITION:OFFSET "
                        + "(two non-negative numbers, e.g. 0:1200)");
            }
        }
        return offsets;
    }
}
