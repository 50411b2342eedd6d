package io.streamdetect.jobs.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A single-node Kafka cluster (KRaft, broker and controller in one node) inside this JVM, on a free loopback
 * port, with its data in a temporary directory: for the demo and the integration tests. Transactions work
 * (replication factors are 1), so exactly-once sinks can be tested against it.
 */
public final class EmbeddedKafka implements AutoCloseable {
    /** Largest record the embedded broker takes: room for camera frames. */
    public static final int MAX_MESSAGE_BYTES = 16 << 20;

    private final KafkaClusterTestKit cluster;

    private EmbeddedKafka(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    public static EmbeddedKafka start() throws Exception {
        Path dir = Files.createTempDirectory("streamdetect-kafka");
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .setBaseDirectory(dir)
                .build();
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes)
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("transaction.state.log.num.partitions", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("message.max.bytes", String.valueOf(MAX_MESSAGE_BYTES))
                .setConfigProp("auto.create.topics.enable", "false")
                // apply time-based retention within a second, not after 5 minutes as brokers do by default: a
                // record written with an old timestamp then disappears during a test, as it would in production
                .setConfigProp("log.retention.check.interval.ms", "1000")
                .setDeleteOnClose(true)
                .build();
        try {
            formatQuietly(cluster);
            cluster.startup();
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
        return new EmbeddedKafka(cluster);
    }

    /** Kafka's storage formatter prints to System.out; keep the demo's output for detections. */
    private static void formatQuietly(KafkaClusterTestKit cluster) throws Exception {
        java.io.PrintStream stdout = System.out;
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            cluster.format();
        } finally {
            System.setOut(stdout);
        }
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** Creates topics with {@code partitions} partitions each. */
    public void createTopics(int partitions, String... topics) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            List<NewTopic> newTopics = new ArrayList<>();
            for (String t : topics) {
                newTopics.add(new NewTopic(t, partitions, (short) 1)
                        .configs(Map.of("max.message.bytes", String.valueOf(MAX_MESSAGE_BYTES))));
            }
            admin.createTopics(newTopics).all().get();
        }
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
