package io.streamdetect.engine.tensorrt;

import io.streamdetect.model.ModelException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The {@code .engine} file streamdetect writes: like Ultralytics' TensorRT export, a little-endian int32
 * length, a metadata header, then the serialized TensorRT plan. The header (Java properties text) carries
 * what the plan alone does not: class names, input size, task, the source model's sha256, precision and the
 * plan key, so {@code predict --model x.engine} works without the ONNX file.
 */
public record EngineFile(Map<String, String> header, byte[] plan) {
    static final String MAGIC_KEY = "streamdetect.engine";
    private static final int MAX_HEADER = 1 << 20;

    public byte[] toBytes() {
        StringBuilder text = new StringBuilder(MAGIC_KEY + "=1\n");
        header.forEach((k, v) -> text.append(escape(k)).append('=').append(escape(v)).append('\n'));
        byte[] head = text.toString().getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(4 + head.length + plan.length);
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(head.length).array());
        out.writeBytes(head);
        out.writeBytes(plan);
        return out.toByteArray();
    }

    public void write(Path file) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, toBytes());
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    public static EngineFile read(Path file) {
        try {
            return parse(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new ModelException("cannot read engine file " + file + ": " + e.getMessage(), e);
        }
    }

    static EngineFile parse(byte[] bytes, String name) {
        if (bytes.length < 4) {
            throw new ModelException(name + " is not a streamdetect engine file (" + bytes.length + " bytes)");
        }
        int headLength = ByteBuffer.wrap(bytes, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (headLength <= 0 || headLength > MAX_HEADER || 4 + headLength > bytes.length) {
            throw new ModelException(name + " has no streamdetect metadata header; export it with "
                    + "'streamdetect export' (a bare TensorRT plan lacks the class names)");
        }
        Properties props = new Properties();
        try {
            props.load(new StringReader(new String(bytes, 4, headLength, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new ModelException(name + ": unreadable engine header", e);
        }
        if (!"1".equals(props.getProperty(MAGIC_KEY))) {
            throw new ModelException(name + " is not a streamdetect engine file (no " + MAGIC_KEY + " header)");
        }
        Map<String, String> header = new LinkedHashMap<>();
        props.stringPropertyNames().stream().sorted().filter(k -> !k.equals(MAGIC_KEY))
                .forEach(k -> header.put(k, props.getProperty(k)));
        byte[] plan = java.util.Arrays.copyOfRange(bytes, 4 + headLength, bytes.length);
        if (plan.length == 0) {
            throw new ModelException(name + " holds no TensorRT plan after its header (truncated file?)");
        }
        return new EngineFile(header, plan);
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '=', ':', '#', '!' -> out.append('\\').append(c);
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
