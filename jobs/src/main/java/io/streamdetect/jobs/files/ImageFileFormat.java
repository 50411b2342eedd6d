package io.streamdetect.jobs.files;

import io.streamdetect.Stage;
import io.streamdetect.jobs.InputRecords;
import io.streamdetect.records.DeadLetter;
import io.streamdetect.records.ErrorKind;
import io.streamdetect.records.ImageRecord;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.SingletonResultIterator;
import org.apache.flink.core.fs.Path;
import org.apache.flink.types.Either;

/**
 * Reads each image file whole, as one {@link ImageRecord}: record id = the path relative to the root folder
 * (unique, and it says where the image is), event time = the file's modification time, attribute {@code path}
 * = the full path. A file over the byte limit is not read: it becomes an IMAGE_TOO_LARGE dead letter, as does
 * a file that vanished or may not be read (stage {@code read}). Other I/O errors fail the task, so Flink retries
 * it rather than losing the image to a passing storage hiccup.
 */
public final class ImageFileFormat implements BulkFormat<Either<DeadLetter, ImageRecord>, FileSourceSplit> {
    private static final long serialVersionUID = 1L;

    private final String root;
    private final String sourceId;
    private final long maxBytes;

    /**
     * @param root     the folder the record ids are relative to (a path as the FileSource lists it)
     * @param sourceId written to every record's sourceId
     * @param maxBytes larger files become dead letters without being read
     */
    public ImageFileFormat(Path root, String sourceId, long maxBytes) {
        this.root = root.toUri().getPath();
        this.sourceId = sourceId;
        this.maxBytes = maxBytes;
    }

    @Override
    public Reader<Either<DeadLetter, ImageRecord>> createReader(Configuration config, FileSourceSplit split) {
        return new WholeFileReader(split, false);
    }

    @Override
    public Reader<Either<DeadLetter, ImageRecord>> restoreReader(Configuration config, FileSourceSplit split) {
        // the one record of a split whose position was checkpointed has been emitted already
        boolean emitted = split.getReaderPosition().map(p -> p.getRecordsAfterOffset() > 0).orElse(false);
        return new WholeFileReader(split, emitted);
    }

    @Override
    public boolean isSplittable() {
        return false;
    }

    @Override
    public TypeInformation<Either<DeadLetter, ImageRecord>> getProducedType() {
        return InputRecords.type();
    }

    /** The record id of {@code file}: its path below the root, or its name when the root is the file itself. */
    String recordId(Path file) {
        return relativePath(root, file);
    }

    /** {@code file}'s path below {@code root} (a URI path), or its name when it is not below it (a single-file root). */
    static String relativePath(String root, Path file) {
        String path = file.toUri().getPath();
        if (path.startsWith(root) && path.length() > root.length()) {
            return path.substring(root.length()).replaceFirst("^/+", "");
        }
        return file.getName();
    }

    Either<DeadLetter, ImageRecord> read(FileSourceSplit split) throws IOException {
        Path file = split.path();
        String id = recordId(file);
        if (split.fileSize() > maxBytes) {
            return Either.Left(unread(id, ErrorKind.IMAGE_TOO_LARGE, file + " is " + split.fileSize()
                    + " bytes; the limit is " + maxBytes + " (raise max-bytes to process it)"));
        }
        byte[] bytes;
        try (InputStream in = file.getFileSystem().open(file)) {
            bytes = in.readAllBytes();
        } catch (FileNotFoundException | NoSuchFileException | AccessDeniedException e) {
            return Either.Left(unread(id, ErrorKind.UNKNOWN, "cannot read " + file + ": " + e));
        }
        return Either.Right(ImageRecord.newBuilder()
                .setSourceId(sourceId)
                .setRecordId(id)
                .setEventTime(Instant.ofEpochMilli(split.fileModificationTime()))
                .setImage(ByteBuffer.wrap(bytes))
                .setContentType(file.getName().toLowerCase(Locale.ROOT).endsWith(".png") ? "image/png" : "image/jpeg")
                .setAttributes(Map.of("path", file.toString()))
                .build());
    }

    private DeadLetter unread(String id, ErrorKind kind, String message) {
        return DeadLetter.newBuilder()
                .setRecordId(id)
                .setSourceId(sourceId)
                .setErrorKind(kind)
                .setStage(Stage.READ.label())
                .setMessage(message)
                .setFailedAt(Instant.now())
                .build();
    }

    /** Emits the split's one record, then ends. */
    private final class WholeFileReader implements Reader<Either<DeadLetter, ImageRecord>> {
        private final FileSourceSplit split;
        private boolean emitted;

        WholeFileReader(FileSourceSplit split, boolean emitted) {
            this.split = split;
            this.emitted = emitted;
        }

        @Override
        public RecordIterator<Either<DeadLetter, ImageRecord>> readBatch() throws IOException {
            if (emitted) {
                return null;
            }
            emitted = true;
            SingletonResultIterator<Either<DeadLetter, ImageRecord>> one = new SingletonResultIterator<>();
            one.set(read(split), CheckpointedPosition.NO_OFFSET, 1);
            return one;
        }

        @Override
        public void close() {}
    }
}
