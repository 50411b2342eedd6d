package io.streamdetect.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.streamdetect.assets.Asset;
import io.streamdetect.assets.AssetDownloader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tests' fallback when there is no shared folder: the assets downloaded from a server (here an in-process
 * one on 127.0.0.1 serving files made in the test, as Ultralytics' release server would), checksums verified,
 * coco8 unpacked into the shared folder's layout, nothing fetched twice, and an offline error that says what to
 * put where.
 */
class SharedFilesTest {
    private final Map<String, byte[]> served = new ConcurrentHashMap<>();
    private final List<String> requests = java.util.Collections.synchronizedList(new ArrayList<>());
    private HttpServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String name = exchange.getRequestURI().getPath().substring(1);
            requests.add(name);
            byte[] body = served.get(name);
            exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            if (body != null) {
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    @Test
    void downloadsVerifiesAndUnpacksIntoTheSharedLayoutOnce(@TempDir Path cache) throws Exception {
        SharedFiles.Sources sources = serve(bytes("onnx model"), bytes("jpeg bytes"), coco8Zip());
        List<String> log = new ArrayList<>();

        Path root = SharedFiles.download(cache, sources, log::add);

        assertThat(root.resolve("models/yolo11n.onnx")).hasContent("onnx model");
        assertThat(root.resolve("images/bus.jpg")).hasContent("jpeg bytes");
        assertThat(root.resolve("data/coco8/images/val/000000000036.jpg")).hasContent("val image");
        assertThat(root.resolve("data/coco8/labels/val/000000000036.txt")).hasContent("25 0.5 0.5 0.2 0.2");
        assertThat(root.resolve("data/coco8.zip")).doesNotExist();
        assertThat(log).hasSize(3).allMatch(line -> line.startsWith("downloading http://127.0.0.1:"));
        assertThat(requests).containsExactly("yolo11n.onnx", "bus.jpg", "coco8.zip");

        requests.clear();
        SharedFiles.download(cache, sources, line -> {
            throw new AssertionError("nothing to download again: " + line);
        });
        assertThat(requests).isEmpty();
    }

    @Test
    void aFileWithTheWrongChecksumIsRefusedAndNotKept(@TempDir Path cache) throws Exception {
        SharedFiles.Sources sources = serve(bytes("onnx model"), bytes("jpeg bytes"), coco8Zip());
        served.put("bus.jpg", bytes("<html>rate limited</html>"));
        assertThatThrownBy(() -> SharedFiles.download(cache, sources, line -> {}))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("bus.jpg has sha256 " + sha256(bytes("<html>rate limited</html>")))
                .hasMessageContaining("expected " + sources.bus().sha256());
        assertThat(cache.resolve("images/bus.jpg")).doesNotExist();
        assertThat(cache.resolve("images/bus.jpg.part")).doesNotExist();
        assertThat(cache.resolve("models/yolo11n.onnx")).as("the files before it are kept").exists();
    }

    @Test
    void offlineTheErrorSaysWhatToPutWhere(@TempDir Path cache) throws Exception {
        SharedFiles.Sources sources = serve(bytes("onnx model"), bytes("jpeg bytes"), coco8Zip());
        server.stop(0); // nothing listens any more: as offline
        assertThatThrownBy(() -> SharedFiles.download(cache, sources, line -> {}))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot download " + sources.model().url())
                .hasMessageContaining("$STREAMDETECT_SHARED")
                .hasMessageContaining("models/yolo11n.onnx (" + sources.model().url() + ")")
                .hasMessageContaining("images/bus.jpg")
                .hasMessageContaining("data/coco8/{images,labels}/{train,val} (unzip " + sources.coco8Zip().url())
                .hasMessageContaining(cache.toString());
    }

    @Test
    void zipEntriesOutsideTheTargetAreRefused(@TempDir Path dir) throws Exception {
        Path zip = Files.write(dir.resolve("evil.zip"), zip(Map.of("../escaped.txt", "x")));
        assertThatThrownBy(() -> AssetDownloader.unzip(zip, dir.resolve("out"))).hasMessageContaining("points outside");
        assertThat(dir.resolve("escaped.txt")).doesNotExist();
    }

    /** Serves the three files under their release names, pinned to their checksums as the real assets are. */
    private SharedFiles.Sources serve(byte[] model, byte[] bus, byte[] coco8) throws Exception {
        served.put("yolo11n.onnx", model);
        served.put("bus.jpg", bus);
        served.put("coco8.zip", coco8);
        String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
        return new SharedFiles.Sources(new Asset(base + "yolo11n.onnx", sha256(model)),
                new Asset(base + "bus.jpg", sha256(bus)), new Asset(base + "coco8.zip", sha256(coco8)));
    }

    /** The layout of Ultralytics' coco8.zip: a top folder coco8/ with images/ and labels/ per split. */
    private static byte[] coco8Zip() throws IOException {
        Map<String, String> entries = new java.util.LinkedHashMap<>();
        entries.put("coco8/", "");
        entries.put("coco8/images/val/000000000036.jpg", "val image");
        entries.put("coco8/images/train/000000000009.jpg", "train image");
        entries.put("coco8/labels/val/000000000036.txt", "25 0.5 0.5 0.2 0.2");
        entries.put("coco8/labels/train/000000000009.txt", "45 0.5 0.5 0.3 0.3");
        entries.put("coco8/README.md", "COCO8");
        return zip(entries);
    }

    private static byte[] zip(Map<String, String> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (var e : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey()));
                zip.write(bytes(e.getValue()));
                zip.closeEntry();
            }
        }
        return bytes.toByteArray();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
