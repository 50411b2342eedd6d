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

    /**
     * One of the exported models beside yolo11n in ../shared/models ({@code yolo26n.onnx}, end-to-end head;
     * {@code yolov8n.onnx}, classic head; both with the batch fixed at 1). They are not downloaded: tests that
     * need them are skipped where the shared folder lacks them.
     */
    public static Path exportedModel(String fileName) {
        Path file = null;
        try {
            file = root().resolve("models").resolve(fileName);
        } catch (IllegalStateException noSharedFolder) {
            // fall through to the assumption
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(file != null && Files.isRegularFile(file),
                () -> "skipped: needs " + fileName + " in ../shared/models (or $STREAMDETECT_SHARED/models)");
        return file;
    }

    public static Path busJpg() {
        return root().resolve("images/bus.jpg");
    }

    public static Path coco8() {
        return root().resolve("data/coco8");
    }
}
