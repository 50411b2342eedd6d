package io.streamdetect.cli;

import static io.streamdetect.jobs.StreamingJobOptions.*;

import io.streamdetect.jobs.StreamingDetectionJob;
import io.streamdetect.jobs.demo.EmbeddedKafka;
import io.streamdetect.jobs.demo.SampleAssets;
import io.streamdetect.jobs.kafka.ImageProducer;
import io.streamdetect.jobs.kafka.RecordConsumer;
import io.streamdetect.records.DeadLetter;
import io.streamdetect.records.DetectionRecord;
import io.streamdetect.records.ImageRecord;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code streamdetect demo}: the whole product in one process, nothing to install. An in-process Kafka broker
 * and a local Flink cluster start, sample images stream in, detections print as they are committed, and
 * everything shuts down.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the streaming job end to end in this process: in-process Kafka (KRaft), local Flink,",
                "sample images in, detection records out. Without --model/--images it downloads yolo11n.onnx and",
                "the Ultralytics sample images into ~/.cache/streamdetect (or $STREAMDETECT_CACHE)."})
public final class DemoCommand implements Callable<Integer> {
    private static final String IMAGES = "images";
    private static final String DETECTIONS = "detections";
    private static final String DEAD_LETTERS = "detections-dead-letters";

    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model"}, paramLabel = "MODEL", description = "YOLO .onnx model (default: download yolo11n.onnx).")
    Path model;

    @Option(names = "--images", paramLabel = "DIR", description = "Directory of images to stream (default: download samples).")
    Path images;

    @Option(names = "--backend", defaultValue = "auto", description = "auto, onnxruntime or tensorrt (default: ${DEFAULT-VALUE}).")
    String backend;

    @Option(names = "--count", defaultValue = "24", description = "Images to stream, cycling through the folder (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--rate", defaultValue = "10", description = "Images produced per second (default: ${DEFAULT-VALUE}).")
    double rate;

    @Option(names = "--max-batch", defaultValue = "8", description = "Largest micro-batch (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    private Path checkpoints;

    @Option(names = "--json", description = "Print detection records as JSON lines.")
    boolean json;

    @Option(names = "--timeout", defaultValue = "300", paramLabel = "SECONDS",
            description = "Give up waiting for results after this long (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        SampleAssets assets = new SampleAssets(SampleAssets.defaultCacheDir(), err::println);
        Path modelPath = model != null ? model : assets.model();
        List<Path> files = ImageInputs.expand(List.of(images != null ? images : assets.images()));

        err.println("starting an in-process Kafka broker (KRaft)...");
        checkpoints = Files.createTempDirectory("streamdetect-demo-checkpoints");
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(2, IMAGES, DETECTIONS, DEAD_LETTERS);
            Configuration config = jobConfig(kafka.bootstrapServers(), modelPath);
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            StreamingDetectionJob.build(env, config);
            JobClient job = env.executeAsync("streamdetect demo");
            err.printf("Flink job %s running on a local cluster; streaming %d images from %d file(s) at %.0f/s%n",
                    job.getJobID(), count, files.size(), rate);
            long start = System.nanoTime();
            Thread producer = startProducing(kafka.bootstrapServers(), files, err);
            int expected = count + 1; // + one broken record, to show the dead-letter path
            AtomicInteger seen = new AtomicInteger();
            RecordPrinter printer = new RecordPrinter(out, json);
            Thread deadLetters = new Thread(() -> readDeadLetters(kafka.bootstrapServers(), printer, seen, expected));
            deadLetters.start();
            boolean complete;
            try (var detections = new RecordConsumer<>(kafka.bootstrapServers(), DETECTIONS, DetectionRecord.class, new Properties())) {
                complete = detections.consume(r -> {
                    printer.print(r.value());
                    seen.incrementAndGet();
                }, () -> seen.get() >= expected, Duration.ofSeconds(timeoutSeconds));
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            producer.join();
            deadLetters.join();
            job.cancel().get();
            err.printf("%s: %d of %d records came back (detections + dead letters) in %.1f s; job cancelled, broker stopped%n",
                    complete ? "done" : "timed out", seen.get(), expected, seconds);
            return complete ? 0 : StreamDetect.EXIT_FAILURE;
        } finally {
            try (var left = Files.walk(checkpoints)) {
                left.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private Configuration jobConfig(String bootstrap, Path modelPath) {
        Configuration c = new Configuration();
        c.set(BOOTSTRAP_SERVERS, bootstrap);
        c.set(INPUT_TOPIC, IMAGES);
        c.set(OUTPUT_TOPIC, DETECTIONS);
        c.set(DEAD_LETTER_TOPIC, DEAD_LETTERS);
        c.set(GROUP_ID, "streamdetect-demo");
        c.set(MODEL, modelPath.toString());
        c.set(BACKEND, backend);
        c.set(MAX_BATCH_SIZE, maxBatch);
        c.set(CHECKPOINT_INTERVAL, Duration.ofSeconds(1));
        c.set(STARTING_OFFSETS, "earliest");
        // the broker dies with the demo, so its checkpoints are of no use afterwards: a temporary folder, emptied on cancel
        c.set(CHECKPOINT_DIR, checkpoints.toUri().toString());
        c.set(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION, ExternalizedCheckpointRetention.DELETE_ON_CANCELLATION);
        return c;
    }

    private Thread startProducing(String bootstrap, List<Path> files, PrintWriter err) {
        Thread t = new Thread(() -> {
            try (ImageProducer producer = new ImageProducer(bootstrap, new Properties())) {
                long pauseMs = (long) (1000 / rate);
                List<java.util.concurrent.Future<?>> sent = new java.util.ArrayList<>();
                for (int i = 0; i < count; i++) {
                    sent.add(producer.send(IMAGES, ImageProducer.fromFile(files.get(i % files.size()), "demo-camera")));
                    if (i == count / 2) {
                        sent.add(producer.send(IMAGES, ImageRecord.newBuilder().setRecordId("broken-upload.jpg")
                                .setSourceId("demo-camera")
                                .setImage(ByteBuffer.wrap("<html>502 Bad Gateway</html>".getBytes(StandardCharsets.UTF_8)))
                                .build()));
                    }
                    Thread.sleep(pauseMs);
                }
                producer.flush();
                // a record the broker refused would otherwise only show as one missing from the count at the end
                for (var f : sent) {
                    try {
                        f.get();
                    } catch (java.util.concurrent.ExecutionException e) {
                        err.println("an image was not sent to " + IMAGES + ": " + e.getCause());
                    }
                }
            } catch (Exception e) {
                err.println("producer stopped: " + e);
            }
        }, "demo-producer");
        t.start();
        return t;
    }

    private void readDeadLetters(String bootstrap, RecordPrinter printer, AtomicInteger seen, int expected) {
        try (var consumer = new RecordConsumer<>(bootstrap, DEAD_LETTERS, DeadLetter.class, new Properties())) {
            consumer.consume(r -> {
                printer.print(r.value());
                seen.incrementAndGet();
            }, () -> seen.get() >= expected, Duration.ofSeconds(timeoutSeconds));
        }
    }
}
