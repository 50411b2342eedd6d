package io.streamdetect.sql.format;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.generic.GenericRecordBuilder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.formats.avro.RowDataToAvroConverters;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;

/**
 * Row → Kafka value: the table's columns into their record fields (the others take their schema defaults), then
 * Avro single-object encoding with the record's current schema, the bytes {@code AvroCodec} writes and reads.
 */
final class RecordRowSerializer implements SerializationSchema<RowData> {
    private static final long serialVersionUID = 1L;

    private final RecordColumns columns;
    private final RowType tableRow;
    private transient Schema schema;
    private transient List<Schema.Field> fields;
    private transient RowData.FieldGetter[] getters;
    private transient RowDataToAvroConverters.RowDataToAvroConverter[] converters;
    private transient BinaryMessageEncoder<GenericRecord> encoder;

    RecordRowSerializer(RecordColumns columns, RowType tableRow) {
        this.columns = columns;
        this.tableRow = tableRow;
    }

    @Override
    public void open(InitializationContext context) {
        schema = columns.schema();
        fields = schema.getFields();
        int n = tableRow.getFieldCount();
        getters = new RowData.FieldGetter[n];
        converters = new RowDataToAvroConverters.RowDataToAvroConverter[n];
        for (int i = 0; i < n; i++) {
            getters[i] = RowData.createFieldGetter(tableRow.getTypeAt(i), i);
            converters[i] = RowDataToAvroConverters.createConverter(tableRow.getTypeAt(i), RecordColumns.LEGACY_TIMESTAMPS);
        }
        encoder = new BinaryMessageEncoder<>(GenericData.get(), schema);
    }

    @Override
    public byte[] serialize(RowData row) {
        GenericRecordBuilder record = new GenericRecordBuilder(schema);
        int[] fieldOfColumn = columns.fieldOfColumn();
        for (int i = 0; i < getters.length; i++) {
            Object value = getters[i].getFieldOrNull(row);
            if (value != null) { // a NULL column keeps the field's default
                Schema.Field field = fields.get(fieldOfColumn[i]);
                Object converted = converters[i].convert(field.schema(), value);
                if (field.schema().getType() == Schema.Type.ENUM) { // DeadLetter.errorKind: a STRING column
                    converted = new GenericData.EnumSymbol(field.schema(), converted.toString());
                }
                record.set(field, converted);
            }
        }
        try {
            ByteBuffer buffer = encoder.encode(record.build());
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + schema.getName(), e);
        }
    }
}
