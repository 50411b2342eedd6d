package io.streamdetect.cluster;

import io.streamdetect.cluster.ChaosInputs.Kind;
import io.streamdetect.cluster.OutputLog.Output;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The fault-injection run: a real cluster from {@code bin/cluster} (Kafka broker, JobManager, TaskManagers, each its
 * own process), the streaming job submitted from its jar with Flink's CLI, images produced at a steady rate with
 * one bad record in 20, and faults injected one after another while they flow. Afterwards every input must have
 * exactly one committed output (a detection record or a dead letter).
 */
final class ChaosRun {
    /** A fault, as it happens in production. */
    enum Fault {
        /** kill -9 a TaskManager that runs the job, then start a new one (a lost node replaced). */
        TM_KILL,
        /** stop the Kafka broker (SIGTERM) and start it again (a rolling restart of a one-broker cluster). */
        BROKER_RESTART,
        /** flink stop --savepointPath, then flink run --fromSavepoint (an upgrade). */
        SAVEPOINT
    }

    record Settings(Path root, Path dir, Path model, Path images, int minImages, double rate, List<Fault> faults,
                    Duration steady) {}

    /**
     * @param actionSeconds    how long the fault's commands took (kill + start a TaskManager; stop + start the
     *                         broker; stop with savepoint + submit from it)
     * @param recoverySeconds  from the fault's start to the first committed output of an image sent after the
     *                         disruption took hold (the kill; the broker down; the job stopped), so an output the
     *                         old job still committed does not count
     */
    record FaultResult(Fault fault, double atSeconds, double actionSeconds, double recoverySeconds,
                       double throughputBefore, double throughputAfter) {}

    record Result(int inputs, Map<Kind, Integer> inputsByKind, int detections, Map<String, Integer> deadLettersByKind,
                  int lost, int duplicated, int unknown, List<String> examples, List<FaultResult> faults,
                  double wallSeconds, int sendFailures, int inputsNotOnceInTopic) {
        boolean exactlyOnce() {
            return lost == 0 && duplicated == 0 && unknown == 0 && sendFailures == 0 && inputsNotOnceInTopic == 0;
        }
    }

    private static final String IMAGES = "images";

    private final Settings settings;
    private final long start = System.currentTimeMillis();
    /** input index -> when it was sent */
    private final Map<Integer, Long> sentAt = new ConcurrentHashMap<>();
    /** "partition:offset" -> input index, from the producer's acknowledgements */
    private final Map<String, Integer> indexByOffset = new ConcurrentHashMap<>();
    private final AtomicInteger sendFailures = new AtomicInteger();
    private final AtomicReference<Exception> firstSendFailure = new AtomicReference<>();

    ChaosRun(Settings settings) {
        this.settings = settings;
    }

    Result run() throws Exception {
        ChaosInputs inputs = new ChaosInputs(settings.images(), 320);
        try (ClusterControl cluster = new ClusterControl(settings.root(), settings.dir(), 2, 1)) {
            cluster.up();
            List<String> job = jobArgs(cluster);
            String jobId = cluster.submit(job);
            Deque<String> taskManagers = new ArrayDeque<>(List.of("taskmanager-1", "taskmanager-2"));
            List<FaultResult> results = new ArrayList<>();
            AtomicInteger produced = new AtomicInteger();
            AtomicLong stopProducingAfter = new AtomicLong(Long.MAX_VALUE);
            try (KafkaProducer<String, byte[]> producer = producer(cluster.bootstrapServers());
                 OutputLog outputs = new OutputLog(cluster.bootstrapServers(), "detections", "detections-dead-letters")) {
                Thread producing = new Thread(() -> produce(producer, inputs, produced, stopProducingAfter), "chaos-producer");
                producing.start();
                waitUntil(() -> outputs.size() > 0, Duration.ofMinutes(5), "the first output");
                Thread.sleep(settings.steady().toMillis());
                for (Fault fault : settings.faults()) {
                    long t0 = System.currentTimeMillis();
                    long disrupted;
                    switch (fault) {
                        case TM_KILL -> {
                            cluster.killTaskManager(taskManagers.removeFirst());
                            disrupted = System.currentTimeMillis();
                            taskManagers.addLast(cluster.startTaskManager());
                        }
                        case BROKER_RESTART -> {
                            cluster.stopKafka();
                            disrupted = System.currentTimeMillis();
                            cluster.startKafka();
                        }
                        case SAVEPOINT -> {
                            String savepoint = cluster.stopWithSavepoint(jobId);
                            disrupted = System.currentTimeMillis();
                            log("savepoint %s", savepoint);
                            jobId = cluster.submit(savepoint, job);
                        }
                        default -> throw new IllegalArgumentException(fault.name());
                    }
                    long actionDone = System.currentTimeMillis();
                    long recovered = waitForOutputOfInputSentAfter(outputs, disrupted);
                    Thread.sleep(settings.steady().toMillis());
                    List<Output> seen = outputs.outputs();
                    long window = settings.steady().toMillis();
                    results.add(new FaultResult(fault, (t0 - start) / 1000.0, (actionDone - t0) / 1000.0,
                            (recovered - t0) / 1000.0,
                            rate(seen, t0 - window, t0), rate(seen, recovered, recovered + window)));
                    log("%s: records flowed again after %.1f s", fault, (recovered - t0) / 1000.0);
                }
                // every fault is done; produce up to the minimum count, then stop
                stopProducingAfter.set(settings.minImages());
                producing.join();
                int total = produced.get();
                log("produced %d inputs; waiting for their outputs", total);
                waitUntil(() -> resolvedDistinct(outputs.outputs()) >= total, Duration.ofMinutes(10), "all outputs");
                // a late duplicate would come with a later checkpoint: wait a few of them
                Thread.sleep(10_000);
                return check(cluster, outputs.outputs(), total, results);
            } finally {
                log("cluster status at the end:\n%s", cluster.status());
            }
        }
    }

    private List<String> jobArgs(ClusterControl cluster) {
        return List.of("stream", "-m", settings.model().toString(), "--backend", "onnxruntime", "-p", "2",
                "--threads", "1", "--max-batch", "8", "--group-id", "chaos", "--checkpoint-interval-ms", "2000",
                // a restarted slot catches up on a backlog on a loaded 2-core machine: give images 2 minutes, not 30 s
                "--timeout-ms", "120000",
                "-b", cluster.bootstrapServers(), "-D", "decode.max-bytes=" + ChaosInputs.MAX_IMAGE_BYTES);
    }

    private KafkaProducer<String, byte[]> producer(String bootstrapServers) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(16 << 20));
        // ride out a broker restart: keep retrying for 5 minutes, never block the steady rate on send()
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "300000");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "300000");
        props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(256L << 20));
        return new KafkaProducer<>(props, new StringSerializer(), new org.apache.kafka.common.serialization.ByteArraySerializer());
    }

    /** Sends input i at start + i / rate, until stopAfter inputs are out (set once every fault is done). */
    private void produce(KafkaProducer<String, byte[]> producer, ChaosInputs inputs, AtomicInteger produced,
                         AtomicLong stopAfter) {
        long t0 = System.nanoTime();
        for (int i = 0; i < stopAfter.get(); i++) {
            long due = t0 + (long) (i * 1e9 / settings.rate());
            long wait = due - System.nanoTime();
            if (wait > 0) {
                try {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                } catch (InterruptedException e) {
                    return;
                }
            }
            final int index = i;
            sentAt.put(index, System.currentTimeMillis());
            producer.send(new ProducerRecord<>(IMAGES, ChaosInputs.id(index), inputs.value(index)), (md, e) -> {
                if (e != null) {
                    sendFailures.incrementAndGet();
                    firstSendFailure.compareAndSet(null, e);
                } else {
                    indexByOffset.put(md.partition() + ":" + md.offset(), index);
                }
            });
            produced.set(index + 1);
        }
        producer.flush();
    }

    /** The input an output belongs to, or -1 when it names none that was sent. */
    private int inputOf(Output o) {
        if (o.recordId() != null && o.recordId().startsWith("chaos-")) {
            return Integer.parseInt(o.recordId().substring("chaos-".length()));
        }
        Integer i = indexByOffset.get(o.sourcePartition() + ":" + o.sourceOffset());
        return i == null ? -1 : i;
    }

    private long resolvedDistinct(List<Output> outputs) {
        return outputs.stream().mapToInt(this::inputOf).filter(i -> i >= 0).distinct().count();
    }

    /** Waits for a committed output of an input sent after t0: records flow again. Returns when it was seen. */
    private long waitForOutputOfInputSentAfter(OutputLog outputs, long t0) throws Exception {
        AtomicLong seen = new AtomicLong();
        waitUntil(() -> {
            for (Output o : outputs.outputs()) {
                int i = inputOf(o);
                Long sent = i < 0 ? null : sentAt.get(i);
                if (sent != null && sent > t0) {
                    seen.set(o.seenAtMillis());
                    return true;
                }
            }
            return false;
        }, Duration.ofMinutes(5), "records flowing again after the fault at " + (t0 - start) / 1000.0 + " s");
        return seen.get();
    }

    private static double rate(List<Output> outputs, long from, long to) {
        long n = outputs.stream().filter(o -> o.seenAtMillis() >= from && o.seenAtMillis() < to).count();
        return n * 1000.0 / (to - from);
    }

    private Result check(ClusterControl cluster, List<Output> outputs, int total, List<FaultResult> faults) {
        // what actually is in the input topic (read_committed): every input exactly once
        Map<String, Integer> inputCount = new HashMap<>();
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(IMAGES).stream().map(p -> new TopicPartition(IMAGES, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
                    inputCount.merge(r.key(), 1, Integer::sum);
                }
            }
        }
        int[] outputsPerInput = new int[total];
        int unknown = 0;
        int detections = 0;
        Map<String, Integer> deadLetters = new TreeMap<>();
        List<String> examples = new ArrayList<>();
        for (Output o : outputs) {
            int i = inputOf(o);
            if (i < 0 || i >= total) {
                unknown++;
                if (examples.size() < 10) {
                    examples.add("output of no input: " + o);
                }
                continue;
            }
            outputsPerInput[i]++;
            if (o.deadLetter()) {
                deadLetters.merge(o.errorKind(), 1, Integer::sum);
            } else {
                detections++;
            }
        }
        int lost = 0;
        int duplicated = 0;
        int notOnceInTopic = 0;
        Map<Kind, Integer> byKind = new EnumMap<>(Kind.class);
        for (int i = 0; i < total; i++) {
            byKind.merge(ChaosInputs.kind(i), 1, Integer::sum);
            if (inputCount.getOrDefault(ChaosInputs.id(i), 0) != 1) {
                notOnceInTopic++;
                examples.add("input " + ChaosInputs.id(i) + " is " + inputCount.getOrDefault(ChaosInputs.id(i), 0)
                        + " times in the input topic");
            }
            if (outputsPerInput[i] == 0) {
                lost++;
                if (examples.size() < 10) {
                    examples.add("no output for " + ChaosInputs.id(i));
                }
            } else if (outputsPerInput[i] > 1) {
                duplicated++;
                if (examples.size() < 10) {
                    examples.add(outputsPerInput[i] + " outputs for " + ChaosInputs.id(i));
                }
            }
        }
        if (firstSendFailure.get() != null) {
            examples.add("first send failure: " + firstSendFailure.get());
        }
        return new Result(total, byKind, detections, deadLetters, lost, duplicated, unknown, examples, faults,
                (System.currentTimeMillis() - start) / 1000.0, sendFailures.get(), notOnceInTopic);
    }

    /** The run as a markdown table (docs/reliability.md takes these). */
    static String report(Result r, Settings s) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "inputs %d at %.1f/s (%s), wall %.0f s: %d detection records, dead letters %s; "
                        + "lost %d, duplicated %d, outputs of no input %d, send failures %d, inputs not once in the topic %d -> %s%n%n",
                r.inputs(), s.rate(), r.inputsByKind(), r.wallSeconds(), r.detections(), r.deadLettersByKind(), r.lost(),
                r.duplicated(), r.unknown(), r.sendFailures(), r.inputsNotOnceInTopic(), r.exactlyOnce() ? "EXACTLY ONCE" : "FAILED"));
        b.append("| # | fault | at (s) | commands took (s) | records flow again after (s) | outputs/s before | outputs/s after |\n");
        b.append("|---|---|---|---|---|---|---|\n");
        int n = 1;
        for (FaultResult f : r.faults()) {
            b.append(String.format(Locale.ROOT, "| %d | %s | %.0f | %.1f | %.1f | %.2f | %.2f |%n", n++, f.fault(),
                    f.atSeconds(), f.actionSeconds(), f.recoverySeconds(), f.throughputBefore(), f.throughputAfter()));
        }
        for (String e : r.examples()) {
            b.append("\n- ").append(e);
        }
        return b.toString();
    }

    private interface Condition {
        boolean met() throws Exception;
    }

    private static void waitUntil(Condition c, Duration timeout, String what) throws Exception {
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (!c.met()) {
            if (System.currentTimeMillis() > deadline) {
                throw new IllegalStateException("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(250);
        }
    }

    private void log(String format, Object... args) {
        System.out.printf(Locale.ROOT, "[chaos %6.1f s] %s%n", (System.currentTimeMillis() - start) / 1000.0,
                String.format(Locale.ROOT, format, args));
        System.out.flush();
    }
}
