package io.streamdetect.sql.format;

import static org.apache.flink.table.api.DataTypes.ARRAY;
import static org.apache.flink.table.api.DataTypes.BYTES;
import static org.apache.flink.table.api.DataTypes.FIELD;
import static org.apache.flink.table.api.DataTypes.FLOAT;
import static org.apache.flink.table.api.DataTypes.INT;
import static org.apache.flink.table.api.DataTypes.MAP;
import static org.apache.flink.table.api.DataTypes.ROW;
import static org.apache.flink.table.api.DataTypes.STRING;
import static org.apache.flink.table.api.DataTypes.TIMESTAMP_LTZ;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdetect.records.AvroCodec;
import io.streamdetect.records.Detection;
import io.streamdetect.records.DetectionRecord;
import io.streamdetect.records.ImageRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.RowType;
import org.junit.jupiter.api.Test;

/**
 * The {@code streamdetect-avro} format reads the bytes {@code produce} writes and writes the bytes {@code consume}
 * reads: the project's {@link AvroCodec}, single-object encoding, columns matched to fields by name.
 */
class StreamDetectAvroFormatTest {
    private static RowType row(org.apache.flink.table.types.DataType type) {
        return (RowType) type.getLogicalType();
    }

    @Test
    void readsTheImageRecordsProduceWrites() throws IOException {
        ImageRecord image = ImageRecord.newBuilder().setRecordId("cam-1/42").setSourceId("cam-1")
                .setEventTime(Instant.ofEpochMilli(1_764_000_000_123L))
                .setImage(ByteBuffer.wrap(new byte[] {1, 2, 3})).setAttributes(Map.of("lane", "2")).build();
        RowType columns = row(ROW(FIELD("image", BYTES()), FIELD("record_id", STRING()),
                FIELD("event_time", TIMESTAMP_LTZ(3)), FIELD("attributes", MAP(STRING(), STRING()))));
        RecordRowDeserializer reader = new RecordRowDeserializer(AvroRecordType.IMAGE,
                RecordRowConverter.of(AvroRecordType.IMAGE, columns), null, false);

        RowData r = reader.deserialize(AvroCodec.of(ImageRecord.class).encode(image));

        assertThat(r.getBinary(0)).containsExactly(1, 2, 3);
        assertThat(r.getString(1).toString()).isEqualTo("cam-1/42");
        assertThat(r.getTimestamp(2, 3).getMillisecond()).isEqualTo(1_764_000_000_123L);
        assertThat(r.getMap(3).size()).isEqualTo(1);
    }

    @Test
    void aValueThatIsNotARecordFailsOrIsSkipped() throws IOException {
        RowType columns = row(ROW(FIELD("image", BYTES())));
        byte[] garbage = "garbage".getBytes(StandardCharsets.UTF_8);
        RecordRowDeserializer strict = new RecordRowDeserializer(AvroRecordType.IMAGE,
                RecordRowConverter.of(AvroRecordType.IMAGE, columns), null, false);
        assertThatThrownBy(() -> strict.deserialize(garbage)).isInstanceOf(IOException.class)
                .hasMessageContaining("not an Avro single-object encoded ImageRecord")
                .hasMessageContaining("ignore-parse-errors");
        RecordRowDeserializer lenient = new RecordRowDeserializer(AvroRecordType.IMAGE,
                RecordRowConverter.of(AvroRecordType.IMAGE, columns), null, true);
        assertThat(lenient.deserialize(garbage)).isNull();
    }

    @Test
    void writesDetectionRecordsConsumeReads() {
        RowType columns = row(ROW(FIELD("record_id", STRING()), FIELD("source_id", STRING()),
                FIELD("image_width", INT()), FIELD("detections", ARRAY(ROW(FIELD("class_id", INT()),
                        FIELD("class_name", STRING()), FIELD("score", FLOAT()), FIELD("x1", FLOAT()),
                        FIELD("y1", FLOAT()), FIELD("x2", FLOAT()), FIELD("y2", FLOAT())))),
                FIELD("event_time", TIMESTAMP_LTZ(3))));
        RecordRowSerializer writer = new RecordRowSerializer(RecordColumns.map(AvroRecordType.DETECTION, columns), columns);
        writer.open(null);
        GenericRowData row = GenericRowData.of(StringData.fromString("cam-1/42"), null, 810,
                new GenericArrayData(new Object[] {GenericRowData.of(5, StringData.fromString("bus"), 0.9f, 1f, 2f, 3f, 4f)}),
                TimestampData.fromEpochMillis(1_764_000_000_123L));

        DetectionRecord record = AvroCodec.of(DetectionRecord.class).decode(writer.serialize(row));

        assertThat(record.getRecordId()).isEqualTo("cam-1/42");
        assertThat(record.getSourceId()).as("a NULL column keeps the default").isEmpty();
        assertThat(record.getImageWidth()).isEqualTo(810);
        assertThat(record.getDetections()).containsExactly(new Detection(5, "bus", 0.9f, 1f, 2f, 3f, 4f));
        assertThat(record.getEventTime()).isEqualTo(Instant.ofEpochMilli(1_764_000_000_123L));
        assertThat(record.getModelName()).isEmpty();
    }

    @Test
    void columnsThatAreNotFieldsAreRefusedNamingThem() {
        assertThatThrownBy(() -> RecordColumns.map(AvroRecordType.IMAGE, row(ROW(FIELD("picture", BYTES())))))
                .hasMessageContaining("column 'picture' is not a field of ImageRecord")
                .hasMessageContaining("record_id STRING");
        assertThatThrownBy(() -> RecordColumns.map(AvroRecordType.IMAGE, row(ROW(FIELD("image", STRING())))))
                .hasMessageContaining("column 'image' is STRING, but ImageRecord.image is BYTES");
        assertThat(List.of(AvroRecordType.parse("dead-letter"), AvroRecordType.parse("Image")))
                .containsExactly(AvroRecordType.DEAD_LETTER, AvroRecordType.IMAGE);
    }
}
