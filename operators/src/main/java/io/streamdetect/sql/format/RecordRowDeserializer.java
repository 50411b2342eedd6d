package io.streamdetect.sql.format;

import io.streamdetect.records.AvroCodec;
import io.streamdetect.records.RecordFormatException;
import java.io.IOException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.formats.avro.AvroToRowDataConverters;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka value → row: decodes the single-object encoded record with {@link AvroCodec} (so records written with
 * older or registered newer schemas resolve, as in the DataStream jobs), then picks the table's columns.
 */
final class RecordRowDeserializer implements DeserializationSchema<RowData> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RecordRowDeserializer.class);

    private final AvroCodec<? extends SpecificRecord> codec;
    private final RecordColumns columns;
    private final TypeInformation<RowData> producedType;
    private final boolean ignoreParseErrors;
    private transient AvroToRowDataConverters.AvroToRowDataConverter converter;

    RecordRowDeserializer(AvroRecordType type, RecordColumns columns, TypeInformation<RowData> producedType,
                          boolean ignoreParseErrors) {
        this.codec = AvroCodec.of(type.recordClass());
        this.columns = columns;
        this.producedType = producedType;
        this.ignoreParseErrors = ignoreParseErrors;
    }

    @Override
    public void open(InitializationContext context) {
        converter = AvroToRowDataConverters.createRowConverter(columns.recordRow(), RecordColumns.LEGACY_TIMESTAMPS);
    }

    @Override
    public RowData deserialize(byte[] message) throws IOException {
        SpecificRecord record;
        try {
            record = codec.decode(message);
        } catch (RecordFormatException e) {
            if (ignoreParseErrors) {
                LOG.warn("skipping a value that is not a {}: {}", codec.recordClass().getSimpleName(), e.getMessage());
                return null;
            }
            throw new IOException(e.getMessage() + " (set 'streamdetect-avro.ignore-parse-errors' = 'true' to skip "
                    + "such values)", e);
        }
        RowData whole = (RowData) converter.convert(record);
        int[] fields = columns.fieldOfColumn();
        GenericRowData row = new GenericRowData(fields.length);
        for (int i = 0; i < fields.length; i++) {
            row.setField(i, ((GenericRowData) whole).getField(fields[i]));
        }
        return row;
    }

    @Override
    public boolean isEndOfStream(RowData nextElement) {
        return false;
    }

    @Override
    public TypeInformation<RowData> getProducedType() {
        return producedType;
    }
}
