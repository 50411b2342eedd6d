package io.streamdetect.sql.format;

import io.streamdetect.records.DeadLetter;
import io.streamdetect.records.DetectionRecord;
import io.streamdetect.records.ImageRecord;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;

/** Which of the project's records a {@code streamdetect-avro} table holds. */
public enum AvroRecordType {
    IMAGE(ImageRecord.class),
    DETECTION(DetectionRecord.class),
    DEAD_LETTER(DeadLetter.class);

    private final Class<? extends SpecificRecord> recordClass;

    AvroRecordType(Class<? extends SpecificRecord> recordClass) {
        this.recordClass = recordClass;
    }

    public Class<? extends SpecificRecord> recordClass() {
        return recordClass;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static AvroRecordType parse(String text) {
        return Arrays.stream(values())
                .filter(t -> t.label().equalsIgnoreCase(text.trim()))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown record '" + text + "', expected one of "
                        + Arrays.stream(values()).map(AvroRecordType::label).collect(Collectors.joining(", "))));
    }
}
