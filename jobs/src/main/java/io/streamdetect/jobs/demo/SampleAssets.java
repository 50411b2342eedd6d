package io.streamdetect.jobs.demo;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * Fetches the demo's model and sample images from Ultralytics' asset releases into a cache directory, once.
 * No weights or photos are committed to this repository.
 */
public final class SampleAssets {
    public static final String MODEL_URL = "https://github.com/ultralytics/assets/releases/download/v8.3.0/yolo11n.onnx";
    public static final List<String> IMAGE_URLS = List.of(
            "https://github.com/ultralytics/assets/releases/download/v0.0.0/bus.jpg",
            "https://github.com/ultralytics/assets/releases/download/v0.0.0/zidane.jpg");

    private final Path cacheDir;
    private final Consumer<String> log;
    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(15)).build();

    public SampleAssets(Path cacheDir, Consumer<String> log) {
        this.cacheDir = cacheDir;
        this.log = log;
    }

    /** {@code $STREAMDETECT_CACHE}, else {@code ~/.cache/streamdetect}. */
    public static Path defaultCacheDir() {
        String env = System.getenv("STREAMDETECT_CACHE");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "streamdetect");
    }

    public Path model() throws IOException {
        return fetch(MODEL_URL);
    }

    /** A directory holding the sample images. */
    public Path images() throws IOException {
        for (String url : IMAGE_URLS) {
            fetch(url);
        }
        return cacheDir.resolve("images");
    }

    Path fetch(String url) throws IOException {
        String name = url.substring(url.lastIndexOf('/') + 1);
        Path target = name.endsWith(".onnx") ? cacheDir.resolve(name) : cacheDir.resolve("images").resolve(name);
        if (Files.isRegularFile(target) && Files.size(target) > 0) {
            return target;
        }
        Files.createDirectories(target.getParent());
        log.accept("downloading " + url + " -> " + target);
        Path partial = target.resolveSibling(name + ".part");
        try {
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofMinutes(5)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode());
            }
            try (InputStream in = response.body()) {
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            Files.deleteIfExists(partial);
            throw new IOException("cannot download " + url + " (" + describe(e) + "). Offline? Pass local files "
                    + "instead: --model PATH.onnx --images DIR", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("download of " + url + " interrupted", e);
        }
    }

    private static String describe(IOException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
