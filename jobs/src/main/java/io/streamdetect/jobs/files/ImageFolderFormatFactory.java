package io.streamdetect.jobs.files;

import io.streamdetect.decode.DecodeLimits;
import io.streamdetect.records.DeadLetter;
import io.streamdetect.records.ImageRecord;
import io.streamdetect.sql.format.AvroRecordType;
import io.streamdetect.sql.format.RecordRowConverter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.apache.flink.connector.file.table.factories.BulkReaderFormatFactory;
import org.apache.flink.connector.file.table.format.BulkDecodingFormat;
import org.apache.flink.core.fs.Path;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.factories.DynamicTableFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.Either;

/**
 * {@code 'connector' = 'filesystem', 'format' = 'streamdetect-image'}: each file of a folder tree is one row, read
 * whole by {@link ImageFileFormat} as for {@code reprocess --images}: columns of an {@code ImageRecord} ({@code
 * record_id} = the path below the table's {@code path}, {@code event_time} = the file's modification time, {@code
 * image}, {@code attributes['path']}). A file that is too large or cannot be read is a row with an empty image
 * (ML_PREDICT then reports EMPTY_IMAGE) and the reason in {@code attributes['streamdetect.error']}.
 */
public final class ImageFolderFormatFactory implements BulkReaderFormatFactory {
    public static final String IDENTIFIER = "streamdetect-image";
    public static final String ERROR_ATTRIBUTE = "streamdetect.error";

    public static final ConfigOption<String> SOURCE_ID = ConfigOptions.key("source-id").stringType().noDefaultValue()
            .withDescription("source_id of the rows (default: the folder's name).");
    public static final ConfigOption<Long> MAX_BYTES = ConfigOptions.key("max-bytes").longType()
            .defaultValue(DecodeLimits.DEFAULT.maxBytes())
            .withDescription("Larger files are not read (empty image, reason in attributes).");

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
        return Set.of(SOURCE_ID, MAX_BYTES);
    }

    @Override
    public BulkDecodingFormat<RowData> createDecodingFormat(DynamicTableFactory.Context context, ReadableConfig options) {
        FactoryUtil.validateFactoryOptions(this, options);
        String root = context.getCatalogTable().getOptions().get("path");
        if (root == null) {
            throw new ValidationException("format '" + IDENTIFIER + "' reads the 'filesystem' connector's 'path'");
        }
        Path rootPath = ImageFileSource.qualified(root);
        String sourceId = options.getOptional(SOURCE_ID).orElse(rootPath.getName());
        long maxBytes = options.get(MAX_BYTES);
        return new BulkDecodingFormat<>() {
            @Override
            public BulkFormat<RowData, FileSourceSplit> createRuntimeDecoder(DynamicTableSource.Context ctx, DataType row) {
                RecordRowConverter rows;
                try {
                    rows = RecordRowConverter.of(AvroRecordType.IMAGE, (RowType) row.getLogicalType());
                } catch (IllegalArgumentException e) {
                    throw new ValidationException("format '" + IDENTIFIER + "': " + e.getMessage(), e);
                }
                return new RowFormat(new ImageFileFormat(rootPath, sourceId, maxBytes), rows,
                        ctx.createTypeInformation(row));
            }

            @Override
            public ChangelogMode getChangelogMode() {
                return ChangelogMode.insertOnly();
            }
        };
    }

    /** {@link ImageFileFormat}'s records as rows. */
    private static final class RowFormat implements BulkFormat<RowData, FileSourceSplit> {
        private static final long serialVersionUID = 1L;

        private final ImageFileFormat files;
        private final RecordRowConverter rows;
        private final TypeInformation<RowData> type;

        RowFormat(ImageFileFormat files, RecordRowConverter rows, TypeInformation<RowData> type) {
            this.files = files;
            this.rows = rows;
            this.type = type;
        }

        @Override
        public Reader<RowData> createReader(Configuration config, FileSourceSplit split) throws IOException {
            return rowsOf(files.createReader(config, split));
        }

        @Override
        public Reader<RowData> restoreReader(Configuration config, FileSourceSplit split) throws IOException {
            return rowsOf(files.restoreReader(config, split));
        }

        @Override
        public boolean isSplittable() {
            return false;
        }

        @Override
        public TypeInformation<RowData> getProducedType() {
            return type;
        }

        private Reader<RowData> rowsOf(Reader<Either<DeadLetter, ImageRecord>> reader) {
            return new Reader<>() {
                @Override
                public RecordIterator<RowData> readBatch() throws IOException {
                    RecordIterator<Either<DeadLetter, ImageRecord>> batch = reader.readBatch();
                    if (batch == null) {
                        return null;
                    }
                    return new RecordIterator<>() {
                        @Override
                        public RecordAndPosition<RowData> next() {
                            RecordAndPosition<Either<DeadLetter, ImageRecord>> next = batch.next();
                            if (next == null) {
                                return null;
                            }
                            return new RecordAndPosition<>(rows.toRow(image(next.getRecord())), next.getOffset(),
                                    next.getRecordSkipCount());
                        }

                        @Override
                        public void releaseBatch() {
                            batch.releaseBatch();
                        }
                    };
                }

                @Override
                public void close() throws IOException {
                    reader.close();
                }
            };
        }

        private static ImageRecord image(Either<DeadLetter, ImageRecord> record) {
            if (record.isRight()) {
                return record.right();
            }
            DeadLetter unread = record.left();
            return ImageRecord.newBuilder().setRecordId(unread.getRecordId()).setSourceId(unread.getSourceId())
                    .setImage(ByteBuffer.allocate(0))
                    .setAttributes(Map.of(ERROR_ATTRIBUTE, unread.getErrorKind() + ": " + unread.getMessage()))
                    .build();
        }
    }
}
