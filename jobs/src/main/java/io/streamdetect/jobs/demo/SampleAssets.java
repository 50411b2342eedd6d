package io.streamdetect.jobs.demo;

import io.streamdetect.assets.Asset;
import io.streamdetect.assets.AssetDownloader;
import io.streamdetect.assets.UltralyticsAssets;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Fetches the demo's model and sample images from Ultralytics' asset releases into a cache directory, once,
 * checksums verified ({@link AssetDownloader}). No weights or photos are committed to this repository.
 */
public final class SampleAssets {
    public static final Asset MODEL = UltralyticsAssets.YOLO11N_ONNX;
    public static final List<Asset> IMAGES = List.of(UltralyticsAssets.BUS_JPG, UltralyticsAssets.ZIDANE_JPG);
    static final String OFFLINE_HINT = "Offline? Pass local files instead: --model PATH.onnx --images DIR";

    private final Path cacheDir;
    private final AssetDownloader downloader;

    public SampleAssets(Path cacheDir, Consumer<String> log) {
        this.cacheDir = cacheDir;
        this.downloader = new AssetDownloader(log);
    }

    /** {@code $STREAMDETECT_CACHE}, else {@code ~/.cache/streamdetect}. */
    public static Path defaultCacheDir() {
        String env = System.getenv("STREAMDETECT_CACHE");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "streamdetect");
    }

    public Path model() throws IOException {
        return fetch(MODEL);
    }

    /** A directory holding the sample images. */
    public Path images() throws IOException {
        for (Asset image : IMAGES) {
            fetch(image);
        }
        return cacheDir.resolve("images");
    }

    Path fetch(Asset asset) throws IOException {
        String name = asset.fileName();
        Path target = name.endsWith(".onnx") ? cacheDir.resolve(name) : cacheDir.resolve("images").resolve(name);
        return downloader.fetch(asset, target, OFFLINE_HINT);
    }
}
