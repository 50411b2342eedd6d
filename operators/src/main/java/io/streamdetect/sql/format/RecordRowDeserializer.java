package io.streamdetect.sql.format;

import io.streamdetect.records.AvroCodec;
import io.streamdetect.records.RecordFormatException;
import java.io.IOException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
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
    private final RecordRowConverter rows;
    private final TypeInformation<RowData> producedType;
    private final boolean ignoreParseErrors;

    RecordRowDeserializer(AvroRecordType type, RecordRowConverter rows, TypeInformation<RowData> producedType,
                          boolean ignoreParseErrors) {
        this.codec = AvroCodec.of(type.recordClass());
        this.rows = rows;
        this.producedType = producedType;
        this.ignoreParseErrors = ignoreParseErrors;
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
        return rows.toRow(record);
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
