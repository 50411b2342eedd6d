package io.streamdetect.jobs;

import static io.streamdetect.jobs.StreamingJobOptions.*;

import io.streamdetect.engine.Backend;
import io.streamdetect.engine.Engines;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;

/**
 * The task slots of a run on a local Flink environment (started from the command line, not submitted to a
 * cluster) when {@code parallelism} is not given: two where the slots' engine is TensorRT, one otherwise, and never
 * more than the input topic has partitions. A job submitted to a cluster uses {@code parallelism} as given (1 by
 * default; docker-compose's job sets 2, its GPU TaskManager's slots).
 *
 * <p>Why two on a GPU: two slots share the GPU's engine (each its own execution context, stream and micro-batcher), so
 * one slot's GPU pre-processing and engine runs overlap the other's. Through Kafka on an H200 (FP16, batch 64,
 * 200,000 records) two slots ran 7,778-7,815 img/s, 0.90x of one session's compute-only, against 7,388-7,531 for one
 * (docs/benchmarks.md, session 15), and gave the lower tail at low load; more than two added no throughput at batch 64
 * (sessions 4-5). Why one on ONNX Runtime: it uses every core for one slot's
 * inference already. Why no more than the partitions: the source and the detection operator are chained, so a slot
 * reads only its own partitions, and a slot without one idles while holding its GPU memory (~2.8 GB at batch 64).
 */
public final class LocalSlots {
    /** Slots per GPU where the engine is TensorRT (the local run uses one GPU). */
    public static final int TENSORRT_SLOTS = 2;

    private LocalSlots() {}

    /** {@link #prepare(Configuration, Function)} for a run whose input is not a topic (files): no partitions to cap by. */
    public static Optional<String> prepare(Configuration config) {
        return prepare(config, null);
    }

    /**
     * Sets {@code parallelism} where it is missing, for a run whose slots all share this host's one GPU or its CPU.
     *
     * @param inputPartitions the input topic's partition count, empty where it cannot be read; asked only when it
     *                        could lower the count; null where the input is not a topic
     * @return what was chosen and why, for the run's start-up line; empty when {@code parallelism} was given
     */
    public static Optional<String> prepare(Configuration config, Function<Configuration, OptionalInt> inputPartitions) {
        if (config.contains(PARALLELISM)) {
            return Optional.empty();
        }
        Backend asked = Backend.parse(config.get(BACKEND));
        Backend backend = config.getOptional(MODEL).map(m -> Engines.backendFor(Path.of(m), asked))
                .orElseGet(() -> Engines.resolve(asked)); // as the slots will open it: a .engine file runs on TensorRT
        if (backend != Backend.TENSORRT) {
            config.set(PARALLELISM, 1);
            return Optional.of("1 task slot (" + backend.label()
                    + " uses every core for one slot; -p to change)");
        }
        String twoSlots = TENSORRT_SLOTS + " task slots on the GPU (TensorRT: two slots overlap each other's "
                + "pre-processing and inference; -p to change)";
        if (inputPartitions == null) {
            config.set(PARALLELISM, TENSORRT_SLOTS);
            return Optional.of(twoSlots);
        }
        OptionalInt partitions = inputPartitions.apply(config);
        if (partitions.isEmpty()) {
            config.set(PARALLELISM, TENSORRT_SLOTS);
            return Optional.of(twoSlots + "; the input topic's partitions could not be read");
        }
        int count = partitions.getAsInt();
        int slots = Math.max(1, Math.min(TENSORRT_SLOTS, count));
        config.set(PARALLELISM, slots);
        return Optional.of(slots == TENSORRT_SLOTS ? twoSlots : slots + " task slot" + (slots == 1 ? "" : "s")
                + " (TensorRT runs best with " + TENSORRT_SLOTS + " per GPU, but topic " + config.get(INPUT_TOPIC)
                + " has " + count + " partition" + (count == 1 ? "" : "s")
                + " and a slot reads only its own; add partitions or -p to change)");
    }

    /** The input topic's partition count, asked of the brokers with the job's Kafka settings; empty on any failure. */
    public static OptionalInt inputTopicPartitions(Configuration config) {
        Properties props = kafkaProperties(config);
        props.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.get(BOOTSTRAP_SERVERS));
        // a few seconds at most: the run starts either way, and the job itself says more about unreachable brokers
        props.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        props.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
        String topic = config.get(INPUT_TOPIC);
        Admin admin = null;
        try {
            admin = Admin.create(props);
            TopicDescription described = admin.describeTopics(List.of(topic)).allTopicNames().get(3, TimeUnit.SECONDS)
                    .get(topic);
            return described == null ? OptionalInt.empty() : OptionalInt.of(described.partitions().size());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalInt.empty();
        } catch (Exception e) { // a topic not created yet, brokers unreachable, not authorised: the job says more
            return OptionalInt.empty();
        } finally {
            if (admin != null) {
                admin.close(Duration.ZERO); // close() would wait for calls still pending against a dead broker
            }
        }
    }
}
