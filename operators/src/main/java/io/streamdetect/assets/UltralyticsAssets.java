package io.streamdetect.assets;

/**
 * The files Ultralytics publishes in its asset releases that the demo and the tests use, with their sha256
 * (as published; the same values are quoted by many projects that pin these files).
 */
public final class UltralyticsAssets {
    private UltralyticsAssets() {}

    /** YOLO11n COCO detector, ONNX, dynamic batch, classic head (10,930,182 bytes). */
    public static final Asset YOLO11N_ONNX = new Asset(
            "https://github.com/ultralytics/assets/releases/download/v8.3.0/yolo11n.onnx",
            "634279b40c07c6391472c51ad45b81ebc48706a9a1fe72dd3396322acd0c053b");
    /** bus.jpg, 810x1080 (137,419 bytes): the reference image of the README and the tests. */
    public static final Asset BUS_JPG = new Asset(
            "https://github.com/ultralytics/assets/releases/download/v0.0.0/bus.jpg",
            "c02019c4979c191eb739ddd944445ef408dad5679acab6fd520ef9d434bfbc63");
    /** zidane.jpg, the demo's second sample; no published checksum is pinned, so it is not verified. */
    public static final Asset ZIDANE_JPG = new Asset(
            "https://github.com/ultralytics/assets/releases/download/v0.0.0/zidane.jpg", null);
    /** COCO8: 8 COCO train2017 images with YOLO labels, {@code coco8/images|labels/train|val} (443,158 bytes). */
    public static final Asset COCO8_ZIP = new Asset(
            "https://github.com/ultralytics/assets/releases/download/v0.0.0/coco8.zip",
            "54c67fe9ef88313e021ec0e92b73c200167bb0a86633e8df8658d832cca828c9");
}
