package io.streamdetect.swap;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Which file of a watched path is the model a job should run. A file is itself the candidate. In a directory it
 * is the {@code .onnx} or {@code .engine} file whose name sorts last in natural order (runs of digits compared as
 * numbers, so {@code yolo-v10.onnx} is newer than {@code yolo-v9.onnx}); names starting with {@code .} or
 * {@code _} are skipped, so a file copied under such a name and then renamed is never read half-written. Names,
 * not modification times, decide: they are the same on every TaskManager and survive copies.
 */
public final class ModelCandidates {
    private ModelCandidates() {}

    /** What identifies one state of a candidate file: a change of any part means it is looked at again. */
    public record Fingerprint(Path path, long size, long modifiedMillis) {}

    /** The candidate under {@code watched} with its fingerprint; empty when there is none (yet). */
    public static Optional<Fingerprint> newest(Path watched) throws IOException {
        if (!Files.exists(watched)) {
            return Optional.empty();
        }
        if (!Files.isDirectory(watched)) {
            return Optional.of(fingerprint(watched));
        }
        Optional<Path> newest;
        try (Stream<Path> files = Files.list(watched)) {
            newest = files.filter(ModelCandidates::isModelName).filter(Files::isRegularFile)
                    .max(Comparator.comparing(p -> p.getFileName().toString(), ModelCandidates::compareNatural));
        }
        return newest.isEmpty() ? Optional.empty() : Optional.of(fingerprint(newest.get()));
    }

    static boolean isModelName(Path path) {
        String name = path.getFileName().toString();
        return !name.startsWith(".") && !name.startsWith("_") && (name.endsWith(".onnx") || name.endsWith(".engine"));
    }

    private static Fingerprint fingerprint(Path file) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        return new Fingerprint(file, attributes.size(), attributes.lastModifiedTime().toMillis());
    }

    /** Natural order: digit runs compare by value (then by length, so {@code 01} before {@code 1}), the rest by char. */
    static int compareNatural(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            char x = a.charAt(i);
            char y = b.charAt(j);
            if (Character.isDigit(x) && Character.isDigit(y)) {
                int endA = digitsEnd(a, i);
                int endB = digitsEnd(b, j);
                String numberA = a.substring(i, endA).replaceFirst("^0+(?=.)", "");
                String numberB = b.substring(j, endB).replaceFirst("^0+(?=.)", "");
                int c = numberA.length() != numberB.length() ? Integer.compare(numberA.length(), numberB.length())
                        : numberA.compareTo(numberB);
                if (c == 0) { // the same number: more leading zeros first
                    c = Integer.compare(endB - j, endA - i);
                }
                if (c != 0) {
                    return c;
                }
                i = endA;
                j = endB;
            } else {
                if (x != y) {
                    return Character.compare(x, y);
                }
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    private static int digitsEnd(String s, int from) {
        int end = from;
        while (end < s.length() && Character.isDigit(s.charAt(end))) {
            end++;
        }
        return end;
    }
}
