package io.streamdetect.records;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.BadHeaderException;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.MissingSchemaException;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecord;

/**
 * Encodes and decodes one generated record class with Avro single-object encoding: a 2-byte marker, the
 * writer schema's 8-byte CRC-64-AVRO fingerprint, then the binary body.
 *
 * <p>The fingerprint lets a reader pick the writer schema and resolve it against its own class, so a
 * consumer reads records written with an older schema (its own history is registered by default) and with a
 * newer one, as long as that newer schema was registered through {@link #withWriterSchemas}. Serializable so
 * that Flink functions can carry it; the Avro encoder and decoder are rebuilt lazily after deserialization.
 */
public final class AvroCodec<T extends SpecificRecord> implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Single-object encoding: marker C3 01, then the writer schema's 8-byte fingerprint (little endian). */
    private static final int HEADER_BYTES = 10;

    private final Class<T> recordClass;
    private final List<String> extraWriterSchemas;
    private transient BinaryMessageEncoder<T> encoder;
    private transient BinaryMessageDecoder<T> decoder;
    /** The writer schemas the decoder knows, by their CRC-64-AVRO fingerprint, for {@link AvroBodyBounds}. */
    private transient Map<Long, Schema> writers;

    private AvroCodec(Class<T> recordClass, List<String> extraWriterSchemas) {
        this.recordClass = recordClass;
        this.extraWriterSchemas = List.copyOf(extraWriterSchemas);
    }

    /** A codec for a generated class; writer schemas in {@link SchemaHistory} for it are known. */
    public static <T extends SpecificRecord> AvroCodec<T> of(Class<T> recordClass) {
        return new AvroCodec<>(recordClass, List.of());
    }

    /**
     * A codec that also resolves records written with the given schemas (JSON text), for example a newer
     * schema deployed by producers before this consumer was upgraded.
     */
    public AvroCodec<T> withWriterSchemas(List<String> schemaJson) {
        var all = new java.util.ArrayList<>(extraWriterSchemas);
        all.addAll(schemaJson);
        return new AvroCodec<>(recordClass, all);
    }

    public Class<T> recordClass() {
        return recordClass;
    }

    public Schema schema() {
        return SpecificData.get().getSchema(recordClass);
    }

    public byte[] encode(T record) {
        try {
            ByteBuffer buffer = encoder().encode(record);
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + recordClass.getSimpleName(), e);
        }
    }

    /**
     * Decodes one single-object-encoded record.
     *
     * @throws RecordFormatException when the bytes are not a single-object-encoded record of a known schema
     */
    public T decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0) {
            throw new RecordFormatException("empty value: expected an Avro single-object encoded "
                    + recordClass.getSimpleName());
        }
        try {
            checkBounds(bytes);
            return decoder().decode(bytes);
        } catch (MissingSchemaException e) {
            throw new RecordFormatException("written with an unknown " + recordClass.getSimpleName()
                    + " schema (" + e.getMessage() + "); register the writer schema with withWriterSchemas", e);
        } catch (BadHeaderException e) {
            throw new RecordFormatException("not an Avro single-object encoded "
                    + recordClass.getSimpleName() + ": " + e.getMessage(), e);
        } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException e) {
            throw new RecordFormatException("corrupt " + recordClass.getSimpleName() + ": " + e, e);
        }
    }

    /**
     * Refuses lengths the value cannot hold before Avro allocates them ({@link AvroBodyBounds}). Values that are
     * not single-object encoded, or of an unknown schema, are left to the decoder, which reports them.
     */
    private void checkBounds(byte[] bytes) {
        if (bytes.length < HEADER_BYTES || bytes[0] != (byte) 0xC3 || bytes[1] != (byte) 0x01) {
            return;
        }
        long fingerprint = ByteBuffer.wrap(bytes, 2, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        decoder();
        Schema writer = writers.get(fingerprint);
        if (writer != null) {
            try {
                AvroBodyBounds.check(writer, bytes, HEADER_BYTES);
            } catch (RecordFormatException e) {
                throw new RecordFormatException("corrupt " + recordClass.getSimpleName() + ": " + e.getMessage(), e);
            }
        }
    }

    private BinaryMessageEncoder<T> encoder() {
        if (encoder == null) {
            encoder = new BinaryMessageEncoder<>(SpecificData.get(), schema());
        }
        return encoder;
    }

    private BinaryMessageDecoder<T> decoder() {
        if (decoder == null) {
            BinaryMessageDecoder<T> d = new BinaryMessageDecoder<>(SpecificData.get(), schema());
            List<Schema> known = new ArrayList<>(List.of(schema()));
            known.addAll(SchemaHistory.writerSchemasOf(recordClass));
            for (String json : extraWriterSchemas) {
                known.add(new Schema.Parser().parse(json));
            }
            Map<Long, Schema> byFingerprint = new HashMap<>();
            for (Schema writer : known) {
                d.addSchema(writer);
                byFingerprint.put(SchemaNormalization.parsingFingerprint64(writer), writer);
            }
            writers = byFingerprint;
            decoder = d;
        }
        return decoder;
    }
}
