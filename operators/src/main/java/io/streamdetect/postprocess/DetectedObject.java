package io.streamdetect.postprocess;

import io.streamdetect.records.Detection;

/** One detected object, box corners in original-image pixels. */
public record DetectedObject(int classId, String className, float score, float x1, float y1, float x2, float y2) {

    public float width() {
        return x2 - x1;
    }

    public float height() {
        return y2 - y1;
    }

    public Detection toRecord() {
        return new Detection(classId, className, score, x1, y1, x2, y2);
    }
}
