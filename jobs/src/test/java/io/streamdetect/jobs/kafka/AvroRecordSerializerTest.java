package io.streamdetect.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.jobs.StreamingJobOptions;
import io.streamdetect.records.AvroCodec;
import io.streamdetect.records.DeadLetter;
import io.streamdetect.records.ErrorKind;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class AvroRecordSerializerTest {
    private static final long EVENT_TIME = 0L; // an image sent without eventTime

    private static DeadLetter deadLetter() {
        return DeadLetter.newBuilder().setRecordId("truncated-0").setErrorKind(ErrorKind.TRUNCATED_IMAGE)
                .setStage("decode").setMessage("premature end of JPEG data").build();
    }

    @Test
    void byDefaultTheProducerStampsRecordsWhenWrittenAndTheEventTimeStaysInThePayload() {
        var serializer = new AvroRecordSerializer<>("dead", DeadLetter.class, DeadLetter::getRecordId,
                OutputTimestamp.parse(StreamingJobOptions.OUTPUT_TIMESTAMP.defaultValue()));
        ProducerRecord<byte[], byte[]> record = serializer.serialize(deadLetter(), null, EVENT_TIME);
        assertThat(record.timestamp()).as("null: KafkaProducer uses the send time").isNull();
        assertThat(record.topic()).isEqualTo("dead");
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo("truncated-0");
        assertThat(AvroCodec.of(DeadLetter.class).decode(record.value())).isEqualTo(deadLetter());
    }

    @Test
    void eventTimeModeUsesTheFlinkRecordTimestamp() {
        var serializer = new AvroRecordSerializer<>("dead", DeadLetter.class, DeadLetter::getRecordId,
                OutputTimestamp.parse("event-time"));
        assertThat(serializer.serialize(deadLetter(), null, 1_700_000_000_000L).timestamp()).isEqualTo(1_700_000_000_000L);
    }
}
