package io.streamdetect.cli;

import io.streamdetect.records.DeadLetter;
import io.streamdetect.records.Detection;
import io.streamdetect.records.DetectionRecord;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.stream.Collectors;

/** Prints detection records and dead letters one line each, as text or JSON. */
final class RecordPrinter {
    private final PrintWriter out;
    private final boolean json;

    RecordPrinter(PrintWriter out, boolean json) {
        this.out = out;
        this.json = json;
    }

    void print(DetectionRecord r) {
        if (json) {
            StringBuilder s = new StringBuilder("{\"record_id\":").append(Json.string(r.getRecordId()))
                    .append(",\"source_id\":").append(Json.string(r.getSourceId()))
                    .append(",\"event_time\":").append(r.getEventTime().toEpochMilli())
                    .append(",\"width\":").append(r.getImageWidth()).append(",\"height\":").append(r.getImageHeight())
                    .append(",\"model\":").append(Json.string(r.getModelName()))
                    .append(",\"engine\":").append(Json.string(r.getEngine()))
                    .append(",\"precision\":").append(Json.string(r.getPrecision()))
                    .append(",\"batch_size\":").append(r.getTimings().getBatchSize())
                    .append(",\"queue_wait_us\":").append(r.getTimings().getQueueWaitMicros())
                    .append(",\"inference_us\":").append(r.getTimings().getInferenceMicros())
                    .append(",\"detections\":[");
            for (int i = 0; i < r.getDetections().size(); i++) {
                Detection d = r.getDetections().get(i);
                s.append(i == 0 ? "" : ",").append("{\"class_id\":").append(d.getClassId())
                        .append(",\"class_name\":").append(Json.string(d.getClassName()))
                        .append(",\"score\":").append(String.format(Locale.ROOT, "%.4f", d.getScore()))
                        .append(",\"box\":[").append(Json.number(d.getX1())).append(',').append(Json.number(d.getY1()))
                        .append(',').append(Json.number(d.getX2())).append(',').append(Json.number(d.getY2())).append("]}");
            }
            out.println(s.append("]}"));
        } else {
            String objects = r.getDetections().stream()
                    .map(d -> String.format(Locale.ROOT, "%s %.2f", d.getClassName(), d.getScore()))
                    .collect(Collectors.joining(", "));
            out.printf(Locale.ROOT, "%-28s %-10s %4dx%-4d %2d object(s) [batch %d, queue %.1f ms, inference %.1f ms] %s%n",
                    r.getRecordId(), r.getSourceId(), r.getImageWidth(), r.getImageHeight(), r.getDetections().size(),
                    r.getTimings().getBatchSize(), r.getTimings().getQueueWaitMicros() / 1000.0,
                    r.getTimings().getInferenceMicros() / 1000.0, objects);
        }
        out.flush();
    }

    void print(DeadLetter d) {
        if (json) {
            out.println("{\"record_id\":" + (d.getRecordId() == null ? "null" : Json.string(d.getRecordId()))
                    + ",\"error_kind\":" + Json.string(d.getErrorKind().name())
                    + ",\"stage\":" + Json.string(d.getStage())
                    + ",\"message\":" + Json.string(d.getMessage()) + "}");
        } else {
            out.printf("%-28s DEAD LETTER %s at %s: %s%n", d.getRecordId(), d.getErrorKind(), d.getStage(), d.getMessage());
        }
        out.flush();
    }
}
