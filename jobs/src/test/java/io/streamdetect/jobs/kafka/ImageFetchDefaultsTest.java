package io.streamdetect.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class ImageFetchDefaultsTest {

    @Test
    void theImageDefaultsFillWhatTheUserDidNotSet() {
        Properties user = new Properties();
        user.setProperty("security.protocol", "SASL_SSL");
        Properties props = ImageFetchDefaults.under(user);
        assertThat(props).containsEntry("max.partition.fetch.bytes", "8388608")
                .containsEntry("fetch.max.bytes", "33554432")
                .containsEntry("receive.buffer.bytes", "-1")
                .containsEntry("security.protocol", "SASL_SSL");
        assertThat(user).as("the user's properties are not changed").hasSize(1);
    }

    @Test
    void whatTheUserSetWins() {
        Properties user = new Properties();
        user.setProperty("max.partition.fetch.bytes", "1048576");
        assertThat(ImageFetchDefaults.under(user)).containsEntry("max.partition.fetch.bytes", "1048576")
                .containsEntry("fetch.max.bytes", "33554432");
    }
}
