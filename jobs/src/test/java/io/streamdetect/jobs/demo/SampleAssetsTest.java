package io.streamdetect.jobs.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
        assertThatThrownBy(() -> assets.fetch("http://127.0.0.1:9/yolo11n.onnx"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot download http://127.0.0.1:9/yolo11n.onnx")
                .hasMessageContaining("--model PATH.onnx --images DIR");
        assertThat(cache.resolve("yolo11n.onnx.part")).doesNotExist();
    }

    @Test
    void cachedFilesAreNotDownloadedAgain(@TempDir Path cache) throws IOException {
        Files.writeString(cache.resolve("yolo11n.onnx"), "cached");
        SampleAssets assets = new SampleAssets(cache, line -> {
            throw new AssertionError("no download expected: " + line);
        });
        assertThat(assets.fetch("http://127.0.0.1:9/yolo11n.onnx")).hasContent("cached");
    }
}
