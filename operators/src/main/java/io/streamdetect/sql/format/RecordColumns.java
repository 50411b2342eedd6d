package io.streamdetect.sql.format;

import io.streamdetect.sql.SqlTypes;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.flink.formats.avro.typeutils.AvroSchemaConverter;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

/**
 * How a table's columns map to the fields of one Avro record: by name, {@code record_id} or {@code recordId} for
 * the field {@code recordId}, any subset in any order. Types follow Flink's Avro mapping, with {@code
 * timestamp-millis} as {@code TIMESTAMP_LTZ(3)} (they are epoch milliseconds).
 *
 * @param schemaJson the record's Avro schema
 * @param recordRow  the whole record as a Flink row type, field i = Avro field i
 * @param fieldOfColumn for each table column, its Avro field's position
 */
record RecordColumns(String schemaJson, RowType recordRow, int[] fieldOfColumn) implements Serializable {
    /** Avro timestamps as TIMESTAMP_LTZ, not Flink's legacy TIMESTAMP mapping. */
    static final boolean LEGACY_TIMESTAMPS = false;

    /**
     * @throws IllegalArgumentException naming the column that has no field of that name, or another type
     */
    static RecordColumns map(AvroRecordType type, RowType columns) {
        Schema schema = SpecificData.get().getSchema(type.recordClass());
        RowType record = (RowType) AvroSchemaConverter.convertToDataType(schema.toString(), LEGACY_TIMESTAMPS)
                .getLogicalType();
        List<String> fields = record.getFieldNames();
        int[] fieldOfColumn = new int[columns.getFieldCount()];
        for (int i = 0; i < fieldOfColumn.length; i++) {
            String column = columns.getFieldNames().get(i);
            int field = indexOf(fields, column);
            if (field < 0) {
                throw new IllegalArgumentException("column '" + column + "' is not a field of " + type.recordClass()
                        .getSimpleName() + "; its columns are " + describe(record));
            }
            LogicalType expected = record.getTypeAt(field);
            if (!SqlTypes.sameIgnoringNullability(columns.getTypeAt(i), expected)) {
                throw new IllegalArgumentException("column '" + column + "' is " + columns.getTypeAt(i)
                        .asSummaryString() + ", but " + type.recordClass().getSimpleName() + "." + fields.get(field)
                        + " is " + expected.asSummaryString());
            }
            fieldOfColumn[i] = field;
        }
        return new RecordColumns(schema.toString(), record, fieldOfColumn);
    }

    Schema schema() {
        return new Schema.Parser().parse(schemaJson);
    }

    private static int indexOf(List<String> fields, String column) {
        for (int i = 0; i < fields.size(); i++) {
            if (normalized(fields.get(i)).equals(normalized(column))) {
                return i;
            }
        }
        return -1;
    }

    private static String normalized(String name) {
        return name.replace("_", "").toLowerCase(Locale.ROOT);
    }

    /** The record's fields as SQL columns: {@code record_id STRING, event_time TIMESTAMP_LTZ(3), ...}. */
    static String describe(RowType record) {
        return record.getFields().stream()
                .map(f -> snakeCase(f.getName()) + " " + f.getType().copy(true).asSummaryString())
                .collect(Collectors.joining(", "));
    }

    private static String snakeCase(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
    }
}
