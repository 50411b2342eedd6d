package io.streamdetect.jobs.files;

import java.nio.file.FileSystems;
import java.nio.file.PathMatcher;
import java.util.List;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.enumerate.DefaultFileFilter;
import org.apache.flink.connector.file.src.enumerate.NonSplittingRecursiveEnumerator;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Lists a folder tree, one split per file whose path below the root matches a glob ({@code **.jpg},
 * {@code cams/*}{@code /2026-11-*.png}...). Hidden files and folders (starting with . or _) are skipped, as by
 * Flink's default filter. The glob is tested on files only, so {@code **.jpg} still descends into folders.
 */
final class ImageFileEnumerator extends NonSplittingRecursiveEnumerator {
    private final String root;
    private final PathMatcher glob;

    ImageFileEnumerator(Path root, String glob) {
        super(new DefaultFileFilter());
        this.root = root.toUri().getPath();
        this.glob = FileSystems.getDefault().getPathMatcher("glob:" + glob);
    }

    @Override
    protected void convertToSourceSplits(FileStatus file, FileSystem fs, List<FileSourceSplit> target)
            throws java.io.IOException {
        if (matches(file.getPath())) {
            super.convertToSourceSplits(file, fs, target);
        }
    }

    boolean matches(Path file) {
        return glob.matches(java.nio.file.Path.of(ImageFileFormat.relativePath(root, file)));
    }
}
