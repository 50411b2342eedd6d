package io.streamdetect.model;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The few protobuf wire-format operations needed to read an ONNX ModelProto's top-level fields, so that
 * metadata is read the same way whatever backend runs the model (no protobuf runtime dependency).
 */
final class ProtobufReader {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private final ByteBuffer buf;

    ProtobufReader(ByteBuffer buf) {
        this.buf = buf;
    }

    boolean hasMore() {
        return buf.hasRemaining();
    }

    /** The next tag: field number << 3 | wire type. */
    int readTag() {
        return (int) readVarint();
    }

    long readVarint() {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = buf.get();
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw new IllegalStateException("malformed varint");
    }

    /** A length-delimited field as a view, advancing past it. */
    ByteBuffer readBytes() {
        int length = Math.toIntExact(readVarint());
        if (length < 0 || length > buf.remaining()) {
            throw new IllegalStateException("field length " + length + " exceeds the " + buf.remaining() + " bytes left");
        }
        ByteBuffer slice = buf.slice(buf.position(), length);
        buf.position(buf.position() + length);
        return slice;
    }

    String readString() {
        return StandardCharsets.UTF_8.decode(readBytes()).toString();
    }

    void skip(int wireType) {
        switch (wireType) {
            case VARINT -> readVarint();
            case FIXED64 -> buf.position(buf.position() + 8);
            case LENGTH_DELIMITED -> readBytes();
            case FIXED32 -> buf.position(buf.position() + 4);
            default -> throw new IllegalStateException("unsupported protobuf wire type " + wireType);
        }
    }
}
