package io.streamdetect.jobs.files;

import io.streamdetect.records.DeadLetter;
import io.streamdetect.records.ImageRecord;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.fs.Path;
import org.apache.flink.types.Either;

/**
 * A bounded Flink {@link FileSource} of the images in a folder tree, on any file system Flink has (local,
 * s3://, hdfs://...). Each file is one record ({@link ImageFileFormat}); which files, a glob
 * ({@link ImageFileEnumerator}).
 */
public final class ImageFileSource {
    /** The image files the decoder takes, in any letter case. */
    public static final String DEFAULT_GLOB = "**.{jpg,jpeg,png,JPG,JPEG,PNG}";

    private ImageFileSource() {}

    /**
     * @param root     folder (searched recursively) or single file
     * @param glob     which files, matched against their path below {@code root}
     * @param sourceId the records' sourceId
     * @param maxBytes larger files become IMAGE_TOO_LARGE dead letters unread
     */
    public static FileSource<Either<DeadLetter, ImageRecord>> of(String root, String glob, String sourceId, long maxBytes) {
        Path path = qualified(root);
        try {
            java.nio.file.FileSystems.getDefault().getPathMatcher("glob:" + glob);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("input.glob '" + glob + "' is not a valid glob: " + e.getMessage()
                    + " (e.g. " + DEFAULT_GLOB + ")", e);
        }
        return FileSource.forBulkFileFormat(new ImageFileFormat(path, sourceId, maxBytes), path)
                .setFileEnumerator(() -> new ImageFileEnumerator(path, glob))
                .build();
    }

    /** An absolute path with its scheme, so relative record ids come out the same on every machine. */
    static Path qualified(String root) {
        Path path = new Path(root);
        try {
            return path.makeQualified(path.getFileSystem());
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("input.path '" + root + "': no Flink file system for it (" + e.getMessage()
                    + "); for s3:// or hdfs:// add the file system plugin to the cluster", e);
        }
    }
}
