package io.streamdetect.jobs.kafka;

import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;

/**
 * Kafka consumer settings for a topic of images, where the consumer's own defaults (made for records of a few hundred
 * bytes) leave it fetching about 19 coco8 JPEGs, or 7 of bus.jpg's size, per round trip to the broker: {@code
 * max.partition.fetch.bytes} is 1 MiB. Flink's Kafka source queues at most two of the consumer's polls for the task
 * thread, so a slot that frees a batch of 64 images' room finds 40 or fewer waiting and then reads at the broker's
 * round-trip pace, while its GPU waits (docs/benchmarks.md, session 8). Applied under whatever the user sets as {@code
 * kafka.*}.
 *
 * <ul>
 *   <li>{@code max.partition.fetch.bytes} 8 MiB: about 150 coco8 images per partition and fetch;</li>
 *   <li>{@code fetch.max.bytes} 32 MiB: a fetch over several partitions; with the two fetches the source queues, at
 *       most about 100 MB of images held per reader;</li>
 *   <li>{@code receive.buffer.bytes} -1: the operating system's socket buffer, which grows with the traffic, instead
 *       of Kafka's fixed 64 KiB, which caps a connection at 64 KiB per network round trip.</li>
 * </ul>
 */
public final class ImageFetchDefaults {
    private ImageFetchDefaults() {}

    static final Map<String, String> DEFAULTS = Map.of(
            ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(8 << 20),
            ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(32 << 20),
            ConsumerConfig.RECEIVE_BUFFER_CONFIG, "-1");

    /** {@code userProperties} with these defaults added where the user set none of them; a new object. */
    public static Properties under(Properties userProperties) {
        Properties props = new Properties();
        DEFAULTS.forEach(props::setProperty);
        props.putAll(userProperties);
        return props;
    }
}
