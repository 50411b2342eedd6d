package io.streamdetect.records;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;

/**
 * Walks a binary Avro body along its writer schema without building anything, and refuses every length and
 * count the input cannot hold, before Avro's decoder sees them.
 *
 * <p>Avro's {@code BinaryDecoder} allocates a {@code bytes} or {@code string} field, and the backing array of
 * an array or map, with the size the record states, and only then finds that the input ends: 14 bytes stating
 * a 1.9 GB image made it allocate 1.9 GB (issue 13). Its own caps ({@code org.apache.avro.limits.*.maxLength})
 * are read once per JVM, in a static initializer, so they cannot follow a job's settings. Here a length must fit
 * in what is left of the input, and a count of items must fit when every item takes its smallest encoding, so
 * decoding a value allocates at most a small multiple of the value's own size.
 */
final class AvroBodyBounds {
    private final byte[] bytes;
    private final int end;
    private final Map<Schema, Integer> minSizes = new IdentityHashMap<>();
    private int pos;

    private AvroBodyBounds(byte[] bytes, int offset) {
        this.bytes = bytes;
        this.pos = offset;
        this.end = bytes.length;
    }

    /**
     * @param offset where the body starts in {@code bytes} (after the single-object header)
     * @throws RecordFormatException naming the first length or count the input cannot hold
     */
    static void check(Schema writer, byte[] bytes, int offset) {
        new AvroBodyBounds(bytes, offset).walk(writer, writer.getName());
    }

    private void walk(Schema schema, String path) {
        switch (schema.getType()) {
            case NULL -> { }
            case BOOLEAN -> skip(1, path);
            case INT, LONG -> readLong(path);
            case ENUM -> {
                long symbol = readLong(path);
                if (symbol < 0 || symbol >= schema.getEnumSymbols().size()) {
                    throw new RecordFormatException(path + ": enum symbol " + symbol + " of " + schema.getEnumSymbols().size());
                }
            }
            case FLOAT -> skip(4, path);
            case DOUBLE -> skip(8, path);
            case FIXED -> skip(schema.getFixedSize(), path);
            case STRING, BYTES -> skip(readLong(path), path);
            case RECORD -> {
                for (Schema.Field field : schema.getFields()) {
                    walk(field.schema(), path + "." + field.name());
                }
            }
            case UNION -> {
                List<Schema> branches = schema.getTypes();
                long branch = readLong(path);
                if (branch < 0 || branch >= branches.size()) {
                    throw new RecordFormatException(path + ": union branch " + branch + " of " + branches.size());
                }
                walk(branches.get((int) branch), path);
            }
            case ARRAY -> items(schema.getElementType(), false, path);
            case MAP -> items(schema.getValueType(), true, path);
        }
    }

    /** Array or map blocks: a count (negative: followed by the block's size in bytes), its items, ..., 0. */
    private void items(Schema item, boolean withKeys, String path) {
        long smallest = Math.max(1, minSize(item) + (withKeys ? 1 : 0));
        for (long count = readLong(path); count != 0; count = readLong(path)) {
            if (count < 0) {
                if (count == Long.MIN_VALUE) {
                    throw new RecordFormatException(path + ": item count " + count);
                }
                count = -count;
                long blockBytes = readLong(path);
                if (blockBytes < 0 || blockBytes > remaining()) {
                    throw tooLong(path, "block of " + blockBytes + " bytes");
                }
            }
            if (count > remaining() / smallest) {
                throw tooLong(path, count + " items");
            }
            for (long i = 0; i < count; i++) {
                if (withKeys) {
                    skip(readLong(path), path);
                }
                walk(item, path + "[]");
            }
        }
    }

    /** Fewest bytes a value of {@code schema} takes; a record met again inside itself counts 0. */
    private int minSize(Schema schema) {
        Integer known = minSizes.get(schema);
        if (known != null) {
            return known;
        }
        minSizes.put(schema, 0);
        int size = switch (schema.getType()) {
            case NULL -> 0;
            case BOOLEAN, INT, LONG, ENUM, STRING, BYTES, ARRAY, MAP -> 1;
            case FLOAT -> 4;
            case DOUBLE -> 8;
            case FIXED -> schema.getFixedSize();
            case RECORD -> schema.getFields().stream().mapToInt(f -> minSize(f.schema())).sum();
            case UNION -> 1 + schema.getTypes().stream().mapToInt(this::minSize).min().orElse(0);
        };
        minSizes.put(schema, size);
        return size;
    }

    private void skip(long length, String path) {
        if (length < 0) {
            throw new RecordFormatException(path + ": negative length " + length);
        }
        if (length > remaining()) {
            throw tooLong(path, length + " bytes");
        }
        pos += (int) length;
    }

    private int remaining() {
        return end - pos;
    }

    private RecordFormatException tooLong(String path, String what) {
        return new RecordFormatException(path + " states " + what + ", but only " + remaining()
                + " bytes of the value are left");
    }

    /** Avro's zig-zag varint, at most 10 bytes. */
    private long readLong(String path) {
        long raw = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (pos >= end) {
                throw new RecordFormatException(path + ": the value ends inside a number");
            }
            int b = bytes[pos++] & 0xFF;
            raw |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw new RecordFormatException(path + ": malformed number (over 10 bytes)");
    }
}
