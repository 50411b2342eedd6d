package io.streamdetect.assets;

import java.util.Objects;

/**
 * A published file that can be fetched: where it is, and the sha256 it must have (null where none is known,
 * and then it is not checked).
 */
public record Asset(String url, String sha256) {
    public Asset {
        Objects.requireNonNull(url, "url");
    }

    /** The last path segment of the URL: yolo11n.onnx, bus.jpg, coco8.zip. */
    public String fileName() {
        return url.substring(url.lastIndexOf('/') + 1);
    }

    /** The same file at another address (a mirror, or a local server in tests), with the same checksum. */
    public Asset at(String otherUrl) {
        return new Asset(otherUrl, sha256);
    }
}
