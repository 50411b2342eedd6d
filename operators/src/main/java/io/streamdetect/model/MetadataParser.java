package io.streamdetect.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Parses Ultralytics' metadata values, which are Python literals: {@code names} is a dict repr such as
 * {@code {0: 'person', 1: "children's book"}}, {@code imgsz} a list such as {@code [640, 640]}.
 */
final class MetadataParser {
    private MetadataParser() {}

    static ModelMetadata parse(Map<String, String> raw, String modelName) {
        List<String> names = raw.containsKey("names") ? parseNames(raw.get("names"), modelName) : List.of();
        int[] imgsz = raw.containsKey("imgsz") ? parseImgsz(raw.get("imgsz"), modelName) : new int[] {640, 640};
        int stride = parseInt(raw.getOrDefault("stride", "32"), "stride", modelName);
        String task = raw.getOrDefault("task", "detect").trim();
        return new ModelMetadata(names, imgsz[1], imgsz[0], stride, task, raw);
    }

    static List<String> parseNames(String text, String modelName) {
        TreeMap<Integer, String> byId = new TreeMap<>();
        int i = skipSpace(text, 0);
        if (i >= text.length() || text.charAt(i) != '{') {
            throw bad(modelName, "names", text, "expected a dict such as {0: 'person'}");
        }
        i++;
        while (true) {
            i = skipSpace(text, i);
            if (i < text.length() && text.charAt(i) == '}') {
                break;
            }
            int keyStart = i;
            while (i < text.length() && (Character.isDigit(text.charAt(i)) || text.charAt(i) == '-')) {
                i++;
            }
            int id = parseInt(text.substring(keyStart, i), "names key", modelName);
            i = skipSpace(text, i);
            if (i >= text.length() || text.charAt(i) != ':') {
                throw bad(modelName, "names", text, "expected ':' after key " + id);
            }
            i = skipSpace(text, i + 1);
            if (i >= text.length() || (text.charAt(i) != '\'' && text.charAt(i) != '"')) {
                throw bad(modelName, "names", text, "expected a quoted name for class " + id);
            }
            char quote = text.charAt(i++);
            StringBuilder name = new StringBuilder();
            while (i < text.length() && text.charAt(i) != quote) {
                char c = text.charAt(i++);
                if (c == '\\' && i < text.length()) {
                    c = text.charAt(i++);
                }
                name.append(c);
            }
            if (i >= text.length()) {
                throw bad(modelName, "names", text, "unterminated name for class " + id);
            }
            byId.put(id, name.toString());
            i = skipSpace(text, i + 1);
            if (i < text.length() && text.charAt(i) == ',') {
                i++;
            }
        }
        List<String> names = new ArrayList<>();
        for (var e : byId.entrySet()) {
            if (e.getKey() != names.size()) {
                throw bad(modelName, "names", text, "class ids must be 0..N-1 without gaps, missing " + names.size());
            }
            names.add(e.getValue());
        }
        return names;
    }

    static int[] parseImgsz(String text, String modelName) {
        String inner = text.replaceAll("[\\[\\]() ]", "");
        String[] parts = inner.split(",");
        if (parts.length == 1) {
            int s = parseInt(parts[0], "imgsz", modelName);
            return new int[] {s, s};
        }
        if (parts.length != 2) {
            throw bad(modelName, "imgsz", text, "expected [height, width]");
        }
        return new int[] {parseInt(parts[0], "imgsz", modelName), parseInt(parts[1], "imgsz", modelName)};
    }

    private static int parseInt(String s, String what, String modelName) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new ModelException(modelName + ": metadata " + what + " is not an integer: '" + s + "'");
        }
    }

    private static int skipSpace(String s, int i) {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    private static ModelException bad(String modelName, String key, String text, String why) {
        String shown = text.length() > 80 ? text.substring(0, 80) + "..." : text;
        return new ModelException(modelName + ": cannot parse metadata '" + key + "' (" + why + "): " + shown);
    }
}
