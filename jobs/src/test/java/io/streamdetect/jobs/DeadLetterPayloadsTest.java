package io.streamdetect.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.records.DeadLetter;
import io.streamdetect.records.ErrorKind;
import io.streamdetect.records.KafkaReference;
import io.streamdetect.records.RecordFactory;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class DeadLetterPayloadsTest {

    @Test
    void payloadsOverTheByteLimitAreLeftOutAndTheMessageSaysSo() {
        DeadLetterPayloads payloads = new DeadLetterPayloads(100);
        DeadLetter small = RecordFactory.malformed("k", new byte[100], "images", 1, 7L, "not an ImageRecord");
        assertThat(payloads.map(small)).isSameAs(small);

        DeadLetter large = RecordFactory.malformed("k", new byte[101], "images", 1, 7L, "not an ImageRecord");
        DeadLetter written = payloads.map(large);
        assertThat(written.getPayload()).isNull();
        assertThat(written.getErrorKind()).isEqualTo(ErrorKind.MALFORMED_RECORD);
        assertThat(written.getSource()).isEqualTo(new KafkaReference("images", 1, 7L));
        assertThat(written.getMessage()).isEqualTo("not an ImageRecord [payload of 101 bytes not kept: over "
                + "decode.max-bytes (100), more than the dead-letter sink may write]");
    }

    @Test
    void theSinksRequestSizeTakesTheLargestImagePlusHeadroom() {
        Properties producer = new Properties();
        RecordSinks.sizeForImages(producer, 32L << 20);
        assertThat(producer).containsEntry("max.request.size", String.valueOf((32L << 20) + (1 << 20)))
                .containsEntry("buffer.memory", String.valueOf(2 * ((32L << 20) + (1 << 20))));
        Properties chosen = new Properties();
        chosen.setProperty("max.request.size", "5000000");
        RecordSinks.sizeForImages(chosen, 32L << 20);
        assertThat(chosen).containsEntry("max.request.size", "5000000");
    }
}
