package io.streamdetect.eval;

/** One labelled object, corners in image pixels. */
public record GroundTruth(int classId, float x1, float y1, float x2, float y2) {}
