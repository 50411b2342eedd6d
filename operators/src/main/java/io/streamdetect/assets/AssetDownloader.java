package io.streamdetect.assets;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Downloads published files once: a file already at its target (with the right checksum) is not fetched
 * again; a download goes to {@code NAME.part} first and only becomes the target when complete and its sha256
 * matches, so an interrupted or tampered download never passes for the real file.
 */
public final class AssetDownloader {
    private final Consumer<String> log;
    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(15)).build();

    /** @param log told about each download as it starts */
    public AssetDownloader(Consumer<String> log) {
        this.log = log;
    }

    /**
     * {@code asset} at {@code target}, downloaded if absent or if its checksum is not the asset's.
     *
     * @param offlineHint appended to the error when the download fails: what to do instead
     * @throws IOException when the download fails or the file's checksum is wrong
     */
    public Path fetch(Asset asset, Path target, String offlineHint) throws IOException {
        if (Files.isRegularFile(target) && Files.size(target) > 0
                && (asset.sha256() == null || asset.sha256().equals(sha256(target)))) {
            return target;
        }
        Files.createDirectories(target.toAbsolutePath().getParent());
        log.accept("downloading " + asset.url() + " -> " + target);
        Path partial = target.resolveSibling(target.getFileName() + ".part");
        try {
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(asset.url()))
                    .timeout(Duration.ofMinutes(5)).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() != 200) {
                response.body().close();
                throw new IOException("HTTP " + response.statusCode());
            }
            String sha;
            try (DigestInputStream in = new DigestInputStream(response.body(), digest())) {
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
                sha = HexFormat.of().formatHex(in.getMessageDigest().digest());
            }
            if (asset.sha256() != null && !asset.sha256().equals(sha)) {
                throw new ChecksumMismatch(asset.url() + " has sha256 " + sha + ", expected " + asset.sha256()
                        + ": not the published file (a changed release, a proxy's error page?); nothing was kept");
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (ChecksumMismatch e) {
            Files.deleteIfExists(partial);
            throw e;
        } catch (IOException e) {
            Files.deleteIfExists(partial);
            throw new IOException("cannot download " + asset.url() + " (" + describe(e) + "). " + offlineHint, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Files.deleteIfExists(partial);
            throw new IOException("download of " + asset.url() + " interrupted", e);
        }
    }

    /** Extracts {@code zip} into {@code dir}; entries that would land outside it are refused. */
    public static void unzip(Path zip, Path dir) throws IOException {
        Path root = dir.toAbsolutePath().normalize();
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                Path out = root.resolve(entry.getName()).normalize();
                if (!out.startsWith(root)) {
                    throw new IOException(zip + ": entry " + entry.getName() + " points outside " + root);
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(out);
                } else {
                    Files.createDirectories(out.getParent());
                    Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    public static String sha256(Path file) throws IOException {
        try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file), digest())) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest());
        }
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String describe(IOException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** A download that arrived whole but is not the published file. */
    private static final class ChecksumMismatch extends IOException {
        private static final long serialVersionUID = 1L;

        ChecksumMismatch(String message) {
            super(message);
        }
    }
}
