package io.streamdetect.jobs.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdetect.assets.Asset;
import io.streamdetect.assets.AssetDownloader;
import io.streamdetect.assets.UltralyticsAssets;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleAssetsTest {

    @Test
    void anUnreachableDownloadSaysHowToRunOffline(@TempDir Path cache) {
        SampleAssets assets = new SampleAssets(cache, line -> {});
        // port 9 on loopback: nothing listens, the connection is refused at once
        assertThatThrownBy(() -> assets.fetch(SampleAssets.MODEL.at("http://127.0.0.1:9/yolo11n.onnx")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot download http://127.0.0.1:9/yolo11n.onnx")
                .hasMessageContaining("--model PATH.onnx --images DIR");
        assertThat(cache.resolve("yolo11n.onnx.part")).doesNotExist();
    }

    @Test
    void cachedFilesAreNotDownloadedAgainWhenTheirChecksumMatches(@TempDir Path cache) throws IOException {
        Path model = Files.writeString(cache.resolve("yolo11n.onnx"), "cached");
        Files.createDirectories(cache.resolve("images"));
        Files.writeString(cache.resolve("images/zidane.jpg"), "cached image");
        SampleAssets assets = new SampleAssets(cache, line -> {
            throw new AssertionError("no download expected: " + line);
        });
        Asset pinned = new Asset("http://127.0.0.1:9/yolo11n.onnx", AssetDownloader.sha256(model));
        assertThat(assets.fetch(pinned)).hasContent("cached");
        // an image without a pinned checksum (zidane.jpg) is taken as it is
        assertThat(assets.fetch(UltralyticsAssets.ZIDANE_JPG.at("http://127.0.0.1:9/zidane.jpg"))).hasContent("cached image");
    }

    @Test
    void aCachedFileWithAnotherChecksumIsFetchedAgain(@TempDir Path cache) throws IOException {
        Files.writeString(cache.resolve("yolo11n.onnx"), "a half-written file from an old version");
        SampleAssets assets = new SampleAssets(cache, line -> {});
        assertThatThrownBy(() -> assets.fetch(SampleAssets.MODEL.at("http://127.0.0.1:9/yolo11n.onnx")))
                .hasMessageContaining("cannot download");
    }
}
