package io.streamdetect.sql.format;

import java.util.Set;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.format.DecodingFormat;
import org.apache.flink.table.connector.format.EncodingFormat;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DeserializationFormatFactory;
import org.apache.flink.table.factories.DynamicTableFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.factories.SerializationFormatFactory;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.RowType;

/**
 * {@code 'format' = 'streamdetect-avro'}: this project's Kafka values (Avro single-object encoding of {@code
 * ImageRecord}, {@code DetectionRecord} or {@code DeadLetter}) as table rows, columns mapped to record fields by
 * name ({@link RecordColumns}). Tables read ImageRecords and write DetectionRecords unless {@code
 * 'streamdetect-avro.record'} says otherwise.
 */
public final class StreamDetectAvroFormatFactory implements DeserializationFormatFactory, SerializationFormatFactory {
    public static final String IDENTIFIER = "streamdetect-avro";

    public static final ConfigOption<String> RECORD = ConfigOptions.key("record").stringType().noDefaultValue()
            .withDescription("image, detection or dead-letter; default image when reading, detection when writing.");
    public static final ConfigOption<Boolean> IGNORE_PARSE_ERRORS = ConfigOptions.key("ignore-parse-errors")
            .booleanType().defaultValue(false)
            .withDescription("Skip values that are not records of that type (logged) instead of failing the job.");

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of();
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        return Set.of(RECORD, IGNORE_PARSE_ERRORS);
    }

    @Override
    public DecodingFormat<DeserializationSchema<RowData>> createDecodingFormat(DynamicTableFactory.Context context,
                                                                               ReadableConfig options) {
        FactoryUtil.validateFactoryOptions(this, options);
        AvroRecordType type = recordType(options, AvroRecordType.IMAGE);
        boolean ignoreParseErrors = options.get(IGNORE_PARSE_ERRORS);
        return new DecodingFormat<>() {
            @Override
            public DeserializationSchema<RowData> createRuntimeDecoder(DynamicTableSource.Context ctx, DataType row) {
                RecordRowConverter rows;
                try {
                    rows = RecordRowConverter.of(type, (RowType) row.getLogicalType());
                } catch (IllegalArgumentException e) {
                    throw invalidColumns(e);
                }
                return new RecordRowDeserializer(type, rows, ctx.createTypeInformation(row), ignoreParseErrors);
            }

            @Override
            public ChangelogMode getChangelogMode() {
                return ChangelogMode.insertOnly();
            }
        };
    }

    @Override
    public EncodingFormat<SerializationSchema<RowData>> createEncodingFormat(DynamicTableFactory.Context context,
                                                                             ReadableConfig options) {
        FactoryUtil.validateFactoryOptions(this, options);
        AvroRecordType type = recordType(options, AvroRecordType.DETECTION);
        return new EncodingFormat<>() {
            @Override
            public SerializationSchema<RowData> createRuntimeEncoder(DynamicTableSink.Context ctx, DataType row) {
                return new RecordRowSerializer(columns(type, row), (RowType) row.getLogicalType());
            }

            @Override
            public ChangelogMode getChangelogMode() {
                return ChangelogMode.insertOnly();
            }
        };
    }

    private static AvroRecordType recordType(ReadableConfig options, AvroRecordType byDefault) {
        try {
            return options.getOptional(RECORD).map(AvroRecordType::parse).orElse(byDefault);
        } catch (IllegalArgumentException e) {
            throw new ValidationException("'" + IDENTIFIER + "." + RECORD.key() + "': " + e.getMessage(), e);
        }
    }

    private static RecordColumns columns(AvroRecordType type, DataType row) {
        try {
            return RecordColumns.map(type, (RowType) row.getLogicalType());
        } catch (IllegalArgumentException e) {
            throw invalidColumns(e);
        }
    }

    private static ValidationException invalidColumns(IllegalArgumentException e) {
        return new ValidationException("format '" + IDENTIFIER + "': " + e.getMessage(), e);
    }
}
