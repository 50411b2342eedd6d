package io.streamdetect.cli;

import io.streamdetect.postprocess.DetectedObject;
import java.util.List;
import java.util.Locale;

/** The few JSON shapes the command line prints, written by hand to keep the CLI free of a JSON library. */
final class Json {
    private Json() {}

    static String string(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    static String number(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String detections(List<DetectedObject> objects) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < objects.size(); i++) {
            DetectedObject o = objects.get(i);
            out.append(i == 0 ? "" : ",").append("{\"class_id\":").append(o.classId())
                    .append(",\"class_name\":").append(string(o.className()))
                    .append(",\"score\":").append(String.format(Locale.ROOT, "%.4f", o.score()))
                    .append(",\"box\":[").append(number(o.x1())).append(',').append(number(o.y1())).append(',')
                    .append(number(o.x2())).append(',').append(number(o.y2())).append("]}");
        }
        return out.append(']').toString();
    }
}
