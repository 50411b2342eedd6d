package io.streamdetect.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes tiny but valid ONNX models (one Identity node) with chosen tensor shapes and metadata, to test how
 * the engine reacts to models that are not YOLO detectors. Hand-rolled protobuf, field numbers from onnx.proto.
 */
public final class OnnxModelWriter {
    private OnnxModelWriter() {}

    /** An Identity model: input "images" of {@code shape} straight to output "output0". */
    public static Path identity(Path file, long[] shape, Map<String, String> metadata) throws IOException {
        byte[] node = concat(string(1, "images"), string(2, "output0"), string(4, "Identity"));
        byte[] graph = concat(message(1, node), string(2, "g"), message(11, valueInfo("images", shape)),
                message(12, valueInfo("output0", shape)));
        return write(file, graph, metadata);
    }

    /**
     * A model that reshapes its input to {@code target} (a {@code -1} takes the rest): ONNX Runtime infers the
     * output shape from {@code target}, so it loads as a YOLO model would when {@code target} is YOLO's, and
     * fails at every run whose element count does not fit, as a broken export would.
     */
    public static Path reshape(Path file, long[] inputShape, long[] target, Map<String, String> metadata)
            throws IOException {
        ByteArrayOutputStream packed = new ByteArrayOutputStream();
        for (long v : target) {
            packed.writeBytes(varint(v));
        }
        byte[] shape = concat(varintField(1, target.length), varintField(2, 7 /* INT64 */), message(7, packed.toByteArray()),
                string(8, "shape"));
        byte[] node = concat(string(1, "images"), string(1, "shape"), string(2, "output0"), string(4, "Reshape"));
        byte[] graph = concat(message(1, node), string(2, "g"), message(5, shape),
                message(11, valueInfo("images", inputShape)), message(12, valueInfo("output0", target)));
        return write(file, graph, metadata);
    }

    private static Path write(Path file, byte[] graph, Map<String, String> metadata) throws IOException {
        ByteArrayOutputStream model = new ByteArrayOutputStream();
        model.write(varintField(1, 8)); // ir_version
        model.write(message(8, concat(string(1, ""), varintField(2, 13)))); // opset_import
        model.write(string(2, "streamdetect-test"));
        model.write(message(7, graph));
        for (var e : metadata.entrySet()) {
            model.write(message(14, concat(string(1, e.getKey()), string(2, e.getValue()))));
        }
        return Files.write(file, model.toByteArray());
    }

    private static byte[] valueInfo(String name, long[] shape) {
        ByteArrayOutputStream dims = new ByteArrayOutputStream();
        for (long d : shape) {
            dims.writeBytes(message(1, d > 0 ? varintField(1, d) : string(2, "batch")));
        }
        byte[] tensor = concat(varintField(1, 1), message(2, dims.toByteArray())); // elem_type FLOAT
        return concat(string(1, name), message(2, message(1, tensor)));
    }

    private static byte[] string(int field, String value) {
        return message(field, value.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] message(int field, byte[] body) {
        return concat(varint((long) field << 3 | 2), varint(body.length), body);
    }

    private static byte[] varintField(int field, long value) {
        return concat(varint((long) field << 3), varint(value));
    }

    private static byte[] varint(long v) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
