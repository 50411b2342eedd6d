package io.streamdetect.testing;

import io.streamdetect.assets.Asset;
import io.streamdetect.assets.AssetDownloader;
import io.streamdetect.assets.UltralyticsAssets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the project's shared test material: the YOLO11n model, bus.jpg and coco8, laid out as
 * {@code models/yolo11n.onnx}, {@code images/bus.jpg}, {@code data/coco8/{images,labels}/{train,val}}. In order:
 * <ol>
 *   <li>the folder {@code STREAMDETECT_SHARED} names;</li>
 *   <li>{@code shared} beside the checkout (or any folder above the working directory): {@code ../shared};</li>
 *   <li>else the same files from Ultralytics' asset releases, downloaded once (checksums verified, as the demo
 *       does) into {@code $STREAMDETECT_CACHE/test-assets} (default {@code ~/.cache/streamdetect/test-assets}).
 *       Offline, the error says what to put where.</li>
 * </ol>
 */
public final class SharedFiles {
    static final String MODEL = "models/yolo11n.onnx";
    static final String BUS = "images/bus.jpg";
    static final String COCO8 = "data/coco8";

    private static volatile Path root;

    private SharedFiles() {}

    public static Path root() {
        Path found = root;
        if (found == null) {
            synchronized (SharedFiles.class) {
                found = root;
                if (found == null) {
                    found = locate();
                    root = found;
                }
            }
        }
        return found;
    }

    private static Path locate() {
        String env = System.getenv("STREAMDETECT_SHARED");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            for (Path candidate : new Path[] {dir.resolve("shared"), dir.resolveSibling("shared")}) {
                if (candidate != null && Files.isRegularFile(candidate.resolve(MODEL))) {
                    return candidate;
                }
            }
        }
        try {
            return download(cacheDir(), new Sources(UltralyticsAssets.YOLO11N_ONNX, UltralyticsAssets.BUS_JPG,
                    UltralyticsAssets.COCO8_ZIP), message -> System.err.println("[test assets] " + message));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where downloaded test assets go: {@code $STREAMDETECT_CACHE/test-assets}, else under ~/.cache/streamdetect. */
    static Path cacheDir() {
        String env = System.getenv("STREAMDETECT_CACHE");
        Path cache = env != null && !env.isBlank() ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache", "streamdetect");
        return cache.resolve("test-assets");
    }

    /** What the tests download when there is no shared folder. */
    record Sources(Asset model, Asset bus, Asset coco8Zip) {}

    /**
     * Fetches the model, bus.jpg and coco8 into {@code dir} in the shared folder's layout (files already there with
     * the right checksum are kept) and returns {@code dir}.
     */
    static Path download(Path dir, Sources sources, java.util.function.Consumer<String> log) throws IOException {
        AssetDownloader downloader = new AssetDownloader(log);
        String hint = offlineHint(dir, sources);
        downloader.fetch(sources.model(), dir.resolve(MODEL), hint);
        downloader.fetch(sources.bus(), dir.resolve(BUS), hint);
        if (!Files.isDirectory(dir.resolve(COCO8).resolve("labels"))) {
            Path zip = downloader.fetch(sources.coco8Zip(), dir.resolve("data").resolve(sources.coco8Zip().fileName()), hint);
            AssetDownloader.unzip(zip, dir.resolve("data")); // the zip holds coco8/images/..., coco8/labels/...
            if (!Files.isDirectory(dir.resolve(COCO8).resolve("labels"))) {
                throw new IOException(zip + " did not unpack to " + dir.resolve(COCO8) + "/{images,labels}");
            }
            Files.delete(zip);
        }
        return dir;
    }

    private static String offlineHint(Path dir, Sources sources) {
        return "The tests need YOLO11n, bus.jpg and coco8, found in this order: in $STREAMDETECT_SHARED; in a folder "
                + "named 'shared' beside the checkout (" + Path.of("").toAbsolutePath().getParent().resolve("shared")
                + "); or downloaded into " + dir + ". Offline, put them in one of these folders yourself: "
                + MODEL + " (" + sources.model().url() + "), " + BUS + " (" + sources.bus().url() + "), "
                + COCO8 + "/{images,labels}/{train,val} (unzip " + sources.coco8Zip().url() + " into data/).";
    }

    public static Path model() {
        return root().resolve(MODEL);
    }

    /**
     * One of the exported models beside yolo11n in ../shared/models ({@code yolo26n.onnx}, end-to-end head;
     * {@code yolov8n.onnx}, classic head; both with the batch fixed at 1). They are not downloaded: tests that
     * need them are skipped where the shared folder lacks them.
     */
    public static Path exportedModel(String fileName) {
        Path file = root().resolve("models").resolve(fileName);
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(file),
                () -> "skipped: needs " + fileName + " in ../shared/models (or $STREAMDETECT_SHARED/models)");
        return file;
    }

    public static Path busJpg() {
        return root().resolve(BUS);
    }

    public static Path coco8() {
        return root().resolve(COCO8);
    }

    /** coco8's validation images in name order, then bus.jpg: the images the job ITs cycle through. */
    public static java.util.List<Path> coco8ValAndBus() {
        try (java.util.stream.Stream<Path> files = Files.list(coco8().resolve("images/val"))) {
            java.util.List<Path> images = new java.util.ArrayList<>(files.sorted().toList());
            images.add(busJpg());
            return images;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
