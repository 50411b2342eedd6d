package io.streamdetect.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/** {@code --bootstrap} and pass-through Kafka client properties (SASL/SSL...), for produce and consume. */
public final class KafkaClientOptions {
    @Option(names = {"-b", "--bootstrap"}, paramLabel = "HOST:PORT", description = "Kafka bootstrap servers.")
    String bootstrap;

    @Option(names = {"-X", "--kafka-property"}, paramLabel = "KEY=VALUE",
            description = "A Kafka client property, e.g. -X security.protocol=SASL_SSL. Repeatable.")
    Map<String, String> properties = new LinkedHashMap<>();

    /** The bootstrap servers; a usage error naming the flag when they were not given. */
    String bootstrap() {
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new IllegalArgumentException("no Kafka broker given: pass -b HOST:PORT");
        }
        return bootstrap;
    }

    Properties clientProperties() {
        Properties p = new Properties();
        p.putAll(properties);
        return p;
    }
}
