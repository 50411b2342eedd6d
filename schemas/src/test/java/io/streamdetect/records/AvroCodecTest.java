package io.streamdetect.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdetect.records.kafka.AvroDeserializer;
import io.streamdetect.records.kafka.AvroSerializer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AvroCodecTest {

    /** ImageRecord as a hypothetical older producer wrote it: no size, no attributes, no content type. */
    private static final String OLDER_IMAGE_SCHEMA = """
            {"type":"record","name":"ImageRecord","namespace":"io.streamdetect.records","fields":[
              {"name":"sourceId","type":"string","default":""},
              {"name":"recordId","type":"string","default":""},
              {"name":"eventTime","type":{"type":"long","logicalType":"timestamp-millis"},"default":0},
              {"name":"image","type":"bytes","default":""}]}""";

    /** ImageRecord as a newer producer might write it: one more field, one field gone. */
    private static final String NEWER_IMAGE_SCHEMA = """
            {"type":"record","name":"ImageRecord","namespace":"io.streamdetect.records","fields":[
              {"name":"sourceId","type":"string","default":""},
              {"name":"recordId","type":"string","default":""},
              {"name":"eventTime","type":{"type":"long","logicalType":"timestamp-millis"},"default":0},
              {"name":"image","type":"bytes","default":""},
              {"name":"contentType","type":"string","default":"image/jpeg"},
              {"name":"exposureMicros","type":"long","default":0}]}""";

    static ImageRecord image() {
        return ImageRecord.newBuilder()
                .setSourceId("cam-7")
                .setRecordId("r-1")
                .setEventTime(java.time.Instant.ofEpochMilli(1_700_000_000_123L))
                .setImage(ByteBuffer.wrap(new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2, 3}))
                .setContentType("image/jpeg")
                .setWidth(640)
                .setHeight(480)
                .setAttributes(Map.of("site", "north"))
                .build();
    }

    @Test
    void imageRecordRoundTrip() {
        AvroCodec<ImageRecord> codec = AvroCodec.of(ImageRecord.class);
        byte[] bytes = codec.encode(image());
        // single-object encoding: marker C3 01 then the 8-byte schema fingerprint
        assertThat(bytes[0]).isEqualTo((byte) 0xC3);
        assertThat(bytes[1]).isEqualTo((byte) 0x01);
        assertThat(codec.decode(bytes)).isEqualTo(image());
    }

    @Test
    void detectionRecordAndDeadLetterRoundTrip() {
        DetectionRecord det = DetectionRecord.newBuilder()
                .setRecordId("r-1").setSourceId("cam").setImageWidth(810).setImageHeight(1080)
                .setModelName("yolo11n").setModelHash("abc").setEngine("onnxruntime").setPrecision("fp32")
                .setDetections(List.of(new Detection(0, "person", 0.9f, 1f, 2f, 3f, 4f)))
                .setTimings(new Timings(10L, 20L, 30L, 8))
                .build();
        AvroCodec<DetectionRecord> codec = AvroCodec.of(DetectionRecord.class);
        assertThat(codec.decode(codec.encode(det))).isEqualTo(det);

        DeadLetter dl = DeadLetter.newBuilder().setRecordId("r-2").setErrorKind(ErrorKind.TRUNCATED_IMAGE)
                .setMessage("no EOI").setStage("decode").setSource(new KafkaReference("images", 3, 42L)).build();
        AvroCodec<DeadLetter> dlCodec = AvroCodec.of(DeadLetter.class);
        assertThat(dlCodec.decode(dlCodec.encode(dl))).isEqualTo(dl);
    }

    @Test
    void defaultsMakeEveryRecordConstructibleEmpty() {
        // every field has a default: the builder needs nothing set
        assertThat(ImageRecord.newBuilder().build().getContentType()).isEqualTo("image/jpeg");
        assertThat(DetectionRecord.newBuilder().build().getDetections()).isEmpty();
        assertThat(DeadLetter.newBuilder().build().getErrorKind()).isEqualTo(ErrorKind.UNKNOWN);
    }

    @Test
    void readsRecordsOfAnOlderWriterSchema() {
        Schema older = new Schema.Parser().parse(OLDER_IMAGE_SCHEMA);
        byte[] bytes = encodeGeneric(older, Map.of("sourceId", "cam", "recordId", "old-1", "eventTime", 5L,
                "image", ByteBuffer.wrap(new byte[] {1})));

        ImageRecord read = AvroCodec.of(ImageRecord.class).withWriterSchemas(List.of(OLDER_IMAGE_SCHEMA)).decode(bytes);

        assertThat(read.getRecordId()).isEqualTo("old-1");
        assertThat(read.getContentType()).isEqualTo("image/jpeg");
        assertThat(read.getWidth()).isNull();
        assertThat(read.getAttributes()).isEmpty();
    }

    @Test
    void readsRecordsOfANewerWriterSchemaThroughTheKafkaDeserializer(@TempDir Path dir) throws Exception {
        Schema newer = new Schema.Parser().parse(NEWER_IMAGE_SCHEMA);
        byte[] bytes = encodeGeneric(newer, Map.of("sourceId", "cam", "recordId", "new-1", "eventTime", 5L,
                "image", ByteBuffer.wrap(new byte[] {1}), "contentType", "image/png", "exposureMicros", 400L));
        Path avsc = Files.writeString(dir.resolve("ImageRecord-v2.avsc"), NEWER_IMAGE_SCHEMA);

        try (AvroDeserializer<ImageRecord> deserializer = new AvroDeserializer<>(ImageRecord.class)) {
            deserializer.configure(Map.of(AvroDeserializer.WRITER_SCHEMAS_CONFIG, avsc.toString()), false);
            ImageRecord read = deserializer.deserialize("images", bytes);
            assertThat(read.getRecordId()).isEqualTo("new-1");
            assertThat(read.getContentType()).isEqualTo("image/png");
        }
    }

    @Test
    void olderReadersCanReadCurrentRecords() throws Exception {
        // an old consumer (reader = older schema) resolving the current writer schema: forward compatibility
        Schema older = new Schema.Parser().parse(OLDER_IMAGE_SCHEMA);
        BinaryMessageDecoder<GenericRecord> oldReader = new BinaryMessageDecoder<>(GenericData.get(), older);
        oldReader.addSchema(ImageRecord.getClassSchema());
        GenericRecord read = oldReader.decode(ByteBuffer.wrap(AvroCodec.of(ImageRecord.class).encode(image())));
        assertThat(read.get("recordId").toString()).isEqualTo("r-1");
    }

    @Test
    void currentSchemasAreFullyCompatibleWithTheirReleasedHistory() {
        for (Class<?> type : List.of(ImageRecord.class, DetectionRecord.class, DeadLetter.class)) {
            Schema current = org.apache.avro.specific.SpecificData.get().getSchema(type);
            for (Schema released : SchemaHistory.writerSchemasOf(type)) {
                assertThat(SchemaCompatibility.checkReaderWriterCompatibility(current, released).getType())
                        .as("%s reads its released versions", type.getSimpleName())
                        .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
                assertThat(SchemaCompatibility.checkReaderWriterCompatibility(released, current).getType())
                        .as("released %s readers read the current version", type.getSimpleName())
                        .isEqualTo(SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
            }
            assertThat(SchemaHistory.writerSchemasOf(type)).isNotEmpty();
        }
    }

    @Test
    void rejectsGarbageWithReadableErrors() {
        AvroCodec<ImageRecord> codec = AvroCodec.of(ImageRecord.class);
        assertThatThrownBy(() -> codec.decode(new byte[0])).isInstanceOf(RecordFormatException.class)
                .hasMessageContaining("empty value");
        assertThatThrownBy(() -> codec.decode("hello".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(RecordFormatException.class).hasMessageContaining("not an Avro single-object");
        byte[] unknown = encodeGeneric(new Schema.Parser().parse(NEWER_IMAGE_SCHEMA), Map.of());
        assertThatThrownBy(() -> codec.decode(unknown)).isInstanceOf(RecordFormatException.class)
                .hasMessageContaining("unknown ImageRecord schema");
        byte[] truncated = java.util.Arrays.copyOf(codec.encode(image()), 14);
        assertThatThrownBy(() -> codec.decode(truncated)).isInstanceOf(RecordFormatException.class)
                .hasMessageContaining("corrupt ImageRecord");
        try (AvroDeserializer<ImageRecord> d = new AvroDeserializer<>(ImageRecord.class)) {
            assertThatThrownBy(() -> d.deserialize("images", new byte[] {1, 2, 3}))
                    .isInstanceOf(SerializationException.class).hasMessageContaining("topic images");
        }
        try (AvroSerializer<ImageRecord> s = new AvroSerializer<>(ImageRecord.class)) {
            assertThat(s.serialize("images", null)).isNull();
        }
    }

    private static byte[] encodeGeneric(Schema schema, Map<String, Object> values) {
        GenericData.Record record = new GenericData.Record(schema);
        for (Schema.Field f : schema.getFields()) {
            record.put(f.name(), values.getOrDefault(f.name(), GenericData.get().getDefaultValue(f)));
        }
        try {
            ByteBuffer buf = new BinaryMessageEncoder<GenericRecord>(GenericData.get(), schema).encode(record);
            byte[] out = new byte[buf.remaining()];
            buf.get(out);
            return out;
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Single-object header of the current ImageRecord schema, then {@code body}. */
    static byte[] imageRecordValue(byte... body) {
        long fingerprint = org.apache.avro.SchemaNormalization.parsingFingerprint64(ImageRecord.getClassSchema());
        ByteBuffer value = ByteBuffer.allocate(10 + body.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        value.put((byte) 0xC3).put((byte) 0x01).putLong(fingerprint).put(body);
        return value.array();
    }

    /** Avro's zig-zag varint of {@code n}. */
    static byte[] varint(long n) {
        long raw = (n << 1) ^ (n >> 63);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        while ((raw & ~0x7FL) != 0) {
            out.write((int) ((raw & 0x7F) | 0x80));
            raw >>>= 7;
        }
        out.write((int) raw);
        return out.toByteArray();
    }

    static long allocatedBy(Runnable action) {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        action.run();
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    @Test
    void lengthsTheValueCannotHoldAreRefusedBeforeAnythingIsAllocated() {
        AvroCodec<ImageRecord> codec = AvroCodec.of(ImageRecord.class);
        codec.decode(codec.encode(image())); // builds the decoder, so only the bad value's decoding is measured
        byte[] claim = varint(1_900_000_000L);
        // sourceId "", recordId "", eventTime 0, then an image of 1.9 GB in an 18-byte value
        byte[] imageBomb = imageRecordValue(concat(new byte[] {0, 0, 0}, claim));
        byte[] stringBomb = imageRecordValue(claim); // sourceId of 1.9 GB in 15 bytes
        byte[] mapBomb = imageRecordValue(concat(new byte[] {0, 0, 0, 0, 0, 0, 0}, varint(1_000_000_000L)));
        for (byte[] bomb : List.of(imageBomb, stringBomb, mapBomb)) {
            Throwable[] thrown = new Throwable[1];
            long allocated = allocatedBy(() -> {
                try {
                    codec.decode(bomb);
                } catch (Throwable t) { // an OutOfMemoryError too: that is what this test is about
                    thrown[0] = t;
                }
            });
            assertThat(allocated).as("bytes allocated decoding a %d-byte value", bomb.length).isLessThan(1 << 20);
            assertThat(thrown[0]).isInstanceOf(RecordFormatException.class)
                    .hasMessageContaining("corrupt ImageRecord: ImageRecord.")
                    .hasMessageContaining("bytes of the value are left");
        }
        assertThatThrownBy(() -> codec.decode(imageBomb)).hasMessageContaining("ImageRecord.image states 1900000000 bytes");
        assertThatThrownBy(() -> codec.decode(mapBomb)).hasMessageContaining("ImageRecord.attributes states 1000000000 items");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
