package io.streamdetect.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An ONNX model file: its path, sha256 (the model's identity in detection records and engine caches) and the
 * Ultralytics metadata read from the ModelProto's {@code metadata_props}.
 */
public record OnnxModelFile(Path path, String name, String sha256, ModelMetadata metadata) {
    private static final int MODEL_PROTO_METADATA_PROPS = 14;
    private static final int MODEL_PROTO_GRAPH = 7;

    public static OnnxModelFile read(Path path) {
        if (!Files.exists(path)) {
            throw new ModelException("model file not found: " + path.toAbsolutePath()
                    + " (pass the path of an exported YOLO .onnx file)");
        }
        if (Files.isDirectory(path)) {
            throw new ModelException("model path is a directory, expected an .onnx file: " + path);
        }
        String fileName = path.getFileName().toString();
        String name = fileName.contains(".") ? fileName.substring(0, fileName.lastIndexOf('.')) : fileName;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ByteBuffer bytes = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
            String sha = sha256(bytes.duplicate());
            Map<String, String> raw = readMetadataProps(bytes.duplicate(), fileName);
            return new OnnxModelFile(path, name, sha, MetadataParser.parse(raw, fileName));
        } catch (NoSuchFileException e) {
            throw new ModelException("model file not found: " + path.toAbsolutePath(), e);
        } catch (IOException e) {
            throw new ModelException("cannot read model file " + path + ": " + e.getMessage(), e);
        }
    }

    static Map<String, String> readMetadataProps(ByteBuffer bytes, String fileName) {
        Map<String, String> props = new LinkedHashMap<>();
        boolean sawGraph = false;
        try {
            ProtobufReader reader = new ProtobufReader(bytes);
            while (reader.hasMore()) {
                int tag = reader.readTag();
                int field = tag >>> 3;
                if (field == MODEL_PROTO_METADATA_PROPS && (tag & 7) == ProtobufReader.LENGTH_DELIMITED) {
                    readEntry(new ProtobufReader(reader.readBytes()), props);
                } else {
                    sawGraph |= field == MODEL_PROTO_GRAPH;
                    reader.skip(tag & 7);
                }
            }
        } catch (RuntimeException e) {
            throw new ModelException(fileName + " is not a valid ONNX model (" + e.getMessage() + ")", e);
        }
        if (!sawGraph) {
            throw new ModelException(fileName + " is not an ONNX model: it has no graph");
        }
        return props;
    }

    private static void readEntry(ProtobufReader entry, Map<String, String> props) {
        String key = null;
        String value = "";
        while (entry.hasMore()) {
            int tag = entry.readTag();
            switch (tag >>> 3) {
                case 1 -> key = entry.readString();
                case 2 -> value = entry.readString();
                default -> entry.skip(tag & 7);
            }
        }
        if (key != null) {
            props.put(key, value);
        }
    }

    private static String sha256(ByteBuffer bytes) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(bytes);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
