package io.streamdetect.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.records.DeadLetter;
import io.streamdetect.records.ErrorKind;
import io.streamdetect.records.ImageRecord;
import io.streamdetect.records.KafkaReference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.SchemaNormalization;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class ImageRecordDeserializerTest {

    @Test
    void aValueStatingAnImageLargerThanItselfIsAMalformedRecordDeadLetter() {
        // single-object header, sourceId "", recordId "", eventTime 0, then image: 1,900,000,000 bytes (zig-zag varint)
        ByteBuffer value = ByteBuffer.allocate(18).order(ByteOrder.LITTLE_ENDIAN);
        value.put((byte) 0xC3).put((byte) 0x01).putLong(SchemaNormalization.parsingFingerprint64(ImageRecord.getClassSchema()));
        value.put(new byte[] {0, 0, 0, (byte) 0x80, (byte) 0xCC, (byte) 0xFD, (byte) 0x93, 0x0E});
        List<Either<DeadLetter, ImageRecord>> out = new ArrayList<>();
        new ImageRecordDeserializer().deserialize(
                new ConsumerRecord<>("images", 2, 41L, "cam-1/7".getBytes(StandardCharsets.UTF_8), value.array()),
                new Collector<>() {
                    @Override
                    public void collect(Either<DeadLetter, ImageRecord> record) {
                        out.add(record);
                    }

                    @Override
                    public void close() {}
                });

        assertThat(out).hasSize(1);
        DeadLetter dead = out.get(0).left();
        assertThat(dead.getErrorKind()).isEqualTo(ErrorKind.MALFORMED_RECORD);
        assertThat(dead.getRecordId()).isEqualTo("cam-1/7");
        assertThat(dead.getSource()).isEqualTo(new KafkaReference("images", 2, 41L));
        assertThat(dead.getPayload()).isEqualTo(ByteBuffer.wrap(value.array()));
        assertThat(dead.getMessage()).contains("ImageRecord.image states 1900000000 bytes, but only 0 bytes");
    }
}
