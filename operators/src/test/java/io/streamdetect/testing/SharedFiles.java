package io.streamdetect.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the project's shared test material ({@code ../shared} beside the checkout: the YOLO11n model, bus.jpg,
 * coco8). Override with the {@code STREAMDETECT_SHARED} environment variable.
 */
public final class SharedFiles {
    private SharedFiles() {}

    public static Path root() {
        String env = System.getenv("STREAMDETECT_SHARED");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            for (Path candidate : new Path[] {dir.resolve("shared"), dir.resolveSibling("shared")}) {
                if (candidate != null && Files.isRegularFile(candidate.resolve("models/yolo11n.onnx"))) {
                    return candidate;
                }
            }
        }
        throw new IllegalStateException("cannot find ../shared/models/yolo11n.onnx above " + Path.of("").toAbsolutePath()
                + "; set STREAMDETECT_SHARED to the shared folder");
    }

    public static Path model() {
        return root().resolve("models/yolo11n.onnx");
    }

    public static Path busJpg() {
        return root().resolve("images/bus.jpg");
    }

    public static Path coco8() {
        return root().resolve("data/coco8");
    }
}
