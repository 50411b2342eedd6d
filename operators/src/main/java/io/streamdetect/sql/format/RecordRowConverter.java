package io.streamdetect.sql.format;

import java.io.Serializable;
import org.apache.avro.generic.IndexedRecord;
import org.apache.flink.formats.avro.AvroToRowDataConverters;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;

/**
 * One of the project's records → a table row of the columns asked for ({@link RecordColumns}), for the {@code
 * streamdetect-avro} format and for sources that have the records already (the image-folder format).
 */
public final class RecordRowConverter implements Serializable {
    private static final long serialVersionUID = 1L;

    private final RecordColumns columns;
    private transient AvroToRowDataConverters.AvroToRowDataConverter converter;

    private RecordRowConverter(RecordColumns columns) {
        this.columns = columns;
    }

    /**
     * @throws IllegalArgumentException naming a column that is no field of the record, or of another type
     */
    public static RecordRowConverter of(AvroRecordType type, RowType columns) {
        return new RecordRowConverter(RecordColumns.map(type, columns));
    }

    public RowData toRow(IndexedRecord record) {
        if (converter == null) {
            converter = AvroToRowDataConverters.createRowConverter(columns.recordRow(), RecordColumns.LEGACY_TIMESTAMPS);
        }
        GenericRowData whole = (GenericRowData) converter.convert(record);
        int[] fields = columns.fieldOfColumn();
        GenericRowData row = new GenericRowData(fields.length);
        for (int i = 0; i < fields.length; i++) {
            row.setField(i, whole.getField(fields[i]));
        }
        return row;
    }
}
