package io.streamdetect.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads YOLO-format labels: one object per line, {@code class cx cy w h}, normalised to 0..1. A missing file
 * means an image with no objects (a background image), as in Ultralytics' datasets.
 */
public final class YoloLabels {
    private YoloLabels() {}

    /** The label file of {@code image}: {@code .../images/<rest>.jpg} maps to {@code .../labels/<rest>.txt}. */
    public static Path labelFileOf(Path datasetRoot, Path image) {
        Path relative = datasetRoot.resolve("images").relativize(image);
        String name = relative.getFileName().toString();
        String stem = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
        Path parent = relative.getParent();
        Path labels = datasetRoot.resolve("labels");
        return (parent == null ? labels : labels.resolve(parent)).resolve(stem + ".txt");
    }

    public static List<GroundTruth> read(Path file, int width, int height, int classCount) {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read labels " + file, e);
        }
        List<GroundTruth> objects = new ArrayList<>();
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).trim();
            if (line.isEmpty()) {
                continue;
            }
            String where = file + ":" + (n + 1);
            String[] parts = line.split("\\s+");
            if (parts.length != 5) {
                throw new LabelFormatException(where + ": expected 'class cx cy w h', got " + parts.length
                        + " value(s): '" + line + "'");
            }
            int cls;
            float[] v = new float[4];
            try {
                cls = Integer.parseInt(parts[0]);
                for (int i = 0; i < 4; i++) {
                    v[i] = Float.parseFloat(parts[i + 1]);
                }
            } catch (NumberFormatException e) {
                throw new LabelFormatException(where + ": not a number in '" + line + "'");
            }
            if (cls < 0 || (classCount > 0 && cls >= classCount)) {
                throw new LabelFormatException(where + ": class " + cls + " is outside the model's " + classCount
                        + " classes (0.." + (classCount - 1) + ")");
            }
            for (float x : v) {
                if (!(x >= 0f && x <= 1.0001f)) {
                    throw new LabelFormatException(where + ": box values must be normalised to 0..1, got '" + line + "'");
                }
            }
            float cx = v[0] * width;
            float cy = v[1] * height;
            float w = v[2] * width;
            float h = v[3] * height;
            objects.add(new GroundTruth(cls, cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2));
        }
        return objects;
    }
}
