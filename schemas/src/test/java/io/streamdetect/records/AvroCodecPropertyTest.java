package io.streamdetect.records;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.specific.SpecificRecord;

/**
 * Any bytes into {@link AvroCodec}: a record, or a {@link RecordFormatException} with a message, never another
 * exception, and never more memory than a small multiple of the value (issue 13: 14 bytes claimed 1.9 GB).
 */
class AvroCodecPropertyTest {
    /** Allocation allowed per decode: the decoder's own bookkeeping plus a few times the value. */
    private static final long FIXED_ALLOWANCE = 2 << 20;

    private static final List<AvroCodec<? extends SpecificRecord>> CODECS = List.of(
            AvroCodec.of(ImageRecord.class), AvroCodec.of(DetectionRecord.class), AvroCodec.of(DeadLetter.class));

    static {
        // build each codec's decoder (schema parsing) now, so that the properties measure decoding alone
        for (AvroCodec<? extends SpecificRecord> codec : CODECS) {
            try {
                codec.decode(new byte[] {1});
            } catch (RecordFormatException expected) {
                // what it is for
            }
        }
    }

    @Property(tries = 300)
    void randomBytes(@ForAll @Size(max = 64) byte[] value) {
        CODECS.forEach(codec -> decodesOrFailsClearly(codec, value));
    }

    @Property(tries = 600)
    void randomBodiesBehindAValidHeader(@ForAll("codecs") AvroCodec<? extends SpecificRecord> codec,
                                        @ForAll @Size(max = 96) byte[] body) {
        long fingerprint = SchemaNormalization.parsingFingerprint64(codec.schema());
        ByteBuffer value = ByteBuffer.allocate(10 + body.length).order(ByteOrder.LITTLE_ENDIAN);
        value.put((byte) 0xC3).put((byte) 0x01).putLong(fingerprint).put(body);
        decodesOrFailsClearly(codec, value.array());
    }

    @Property(tries = 600)
    void mutatedRecords(@ForAll("mutatedImageRecords") byte[] value) {
        decodesOrFailsClearly(CODECS.get(0), value);
    }

    @Provide
    Arbitrary<AvroCodec<? extends SpecificRecord>> codecs() {
        return Arbitraries.of(CODECS);
    }

    @Provide
    Arbitrary<byte[]> mutatedImageRecords() {
        byte[] valid = AvroCodec.of(ImageRecord.class).encode(ImageRecord.newBuilder()
                .setSourceId("cam-7").setRecordId("r-1").setEventTime(Instant.ofEpochMilli(1_700_000_000_123L))
                .setImage(ByteBuffer.wrap(new byte[40])).setWidth(640).setHeight(480)
                .setAttributes(Map.of("site", "north", "lane", "2")).build());
        return Combinators.combine(Arbitraries.integers().between(1, 6), Arbitraries.randoms())
                .as((changes, random) -> mutate(valid, changes, random));
    }

    /** Overwrites {@code changes} body bytes with random ones, some with varints of huge lengths. */
    private static byte[] mutate(byte[] valid, int changes, Random random) {
        byte[] value = valid.clone();
        for (int i = 0; i < changes; i++) {
            int at = 10 + random.nextInt(value.length - 10);
            if (random.nextBoolean() && at + 5 <= value.length) {
                long huge = random.nextInt(Integer.MAX_VALUE);
                long raw = huge << 1;
                for (int k = 0; k < 5; k++, raw >>>= 7) {
                    value[at + k] = (byte) ((raw & 0x7F) | (k < 4 ? 0x80 : 0));
                }
            } else {
                value[at] = (byte) random.nextInt(256);
            }
        }
        return value;
    }

    private static void decodesOrFailsClearly(AvroCodec<? extends SpecificRecord> codec, byte[] value) {
        Throwable[] thrown = new Throwable[1];
        long allocated = AvroCodecTest.allocatedBy(() -> {
            try {
                codec.decode(value);
            } catch (Throwable t) {
                thrown[0] = t;
            }
        });
        if (thrown[0] != null) {
            assertThat(thrown[0]).isInstanceOf(RecordFormatException.class);
            assertThat(thrown[0].getMessage()).isNotBlank();
        }
        assertThat(allocated).as("bytes allocated decoding %d bytes", value.length)
                .isLessThan(FIXED_ALLOWANCE + 16L * value.length);
    }
}
