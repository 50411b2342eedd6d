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
 * An ONNX model file: its path, sha256 (the model's identity in detection records and engine caches), the
 * Ultralytics metadata read from the ModelProto's {@code metadata_props}, and the input and output shapes its
 * graph declares (which tell the detection head and a fixed batch size before any backend loads the model).
 */
public record OnnxModelFile(Path path, String name, String sha256, ModelMetadata metadata, GraphShapes shapes) {
    private static final int MODEL_PROTO_METADATA_PROPS = 14;
    private static final int MODEL_PROTO_GRAPH = 7;
    private static final int GRAPH_INPUT = 11;
    private static final int GRAPH_OUTPUT = 12;

    /** A model known by its metadata only (an engine file's header): shapes unknown. */
    public OnnxModelFile(Path path, String name, String sha256, ModelMetadata metadata) {
        this(path, name, sha256, metadata, GraphShapes.UNKNOWN);
    }

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
            Map<String, String> raw = new LinkedHashMap<>();
            GraphShapes shapes = readModel(bytes.duplicate(), fileName, raw);
            return new OnnxModelFile(path, name, sha, MetadataParser.parse(raw, fileName), shapes);
        } catch (NoSuchFileException e) {
            throw new ModelException("model file not found: " + path.toAbsolutePath(), e);
        } catch (IOException e) {
            throw new ModelException("cannot read model file " + path + ": " + e.getMessage(), e);
        }
    }

    /** The detection head, from the graph's output shape and the metadata. */
    public DetectionHead head() {
        if (!shapes.known()) {
            return Boolean.TRUE.equals(metadata.endToEnd()) ? DetectionHead.END_TO_END : DetectionHead.CLASSIC;
        }
        return DetectionHead.of(shapes.output(), metadata, path.getFileName().toString());
    }

    /** Reads {@code metadata_props} into {@code props} and returns the graph's first input and output shapes. */
    static GraphShapes readModel(ByteBuffer bytes, String fileName, Map<String, String> props) {
        GraphShapes shapes = null;
        try {
            ProtobufReader reader = new ProtobufReader(bytes);
            while (reader.hasMore()) {
                int tag = reader.readTag();
                int field = tag >>> 3;
                if (field == MODEL_PROTO_METADATA_PROPS && (tag & 7) == ProtobufReader.LENGTH_DELIMITED) {
                    readEntry(new ProtobufReader(reader.readBytes()), props);
                } else if (field == MODEL_PROTO_GRAPH && (tag & 7) == ProtobufReader.LENGTH_DELIMITED) {
                    shapes = readGraphShapes(new ProtobufReader(reader.readBytes()));
                } else {
                    reader.skip(tag & 7);
                }
            }
        } catch (RuntimeException e) {
            throw new ModelException(fileName + " is not a valid ONNX model (" + e.getMessage() + ")", e);
        }
        if (shapes == null) {
            throw new ModelException(fileName + " is not an ONNX model: it has no graph");
        }
        return shapes;
    }

    /** GraphProto: the first input and first output ValueInfoProto; the weights (initializers) are skipped. */
    private static GraphShapes readGraphShapes(ProtobufReader graph) {
        long[] input = null;
        long[] output = null;
        while (graph.hasMore()) {
            int tag = graph.readTag();
            int field = tag >>> 3;
            if (field == GRAPH_INPUT && input == null) {
                input = tensorShape(new ProtobufReader(graph.readBytes()));
            } else if (field == GRAPH_OUTPUT && output == null) {
                output = tensorShape(new ProtobufReader(graph.readBytes()));
            } else {
                graph.skip(tag & 7);
            }
        }
        return input == null || output == null ? GraphShapes.UNKNOWN : new GraphShapes(input, output);
    }

    /** ValueInfoProto.type (2) -> TypeProto.tensor_type (1) -> shape (2) -> dim (1): dim_value (1) or -1. */
    private static long[] tensorShape(ProtobufReader valueInfo) {
        ProtobufReader tensor = nested(nested(valueInfo, 2), 1);
        ProtobufReader shape = tensor == null ? null : nested(tensor, 2);
        java.util.List<Long> dims = new java.util.ArrayList<>();
        while (shape != null && shape.hasMore()) {
            int tag = shape.readTag();
            if (tag >>> 3 == 1 && (tag & 7) == ProtobufReader.LENGTH_DELIMITED) {
                ProtobufReader dim = new ProtobufReader(shape.readBytes());
                long value = -1;
                while (dim.hasMore()) {
                    int t = dim.readTag();
                    if (t >>> 3 == 1 && (t & 7) == ProtobufReader.VARINT) {
                        value = dim.readVarint();
                    } else {
                        dim.skip(t & 7);
                    }
                }
                dims.add(value > 0 ? value : -1);
            } else {
                shape.skip(tag & 7);
            }
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    /** The first length-delimited field {@code number} of a message, or null. */
    private static ProtobufReader nested(ProtobufReader message, int number) {
        if (message == null) {
            return null;
        }
        while (message.hasMore()) {
            int tag = message.readTag();
            if (tag >>> 3 == number && (tag & 7) == ProtobufReader.LENGTH_DELIMITED) {
                return new ProtobufReader(message.readBytes());
            }
            message.skip(tag & 7);
        }
        return null;
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
