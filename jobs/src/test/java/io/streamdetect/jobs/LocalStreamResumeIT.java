package io.streamdetect.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.cli.StreamDetect;
import io.streamdetect.jobs.demo.EmbeddedKafka;
import io.streamdetect.jobs.kafka.ImageProducer;
import io.streamdetect.jobs.kafka.InputTopic;
import io.streamdetect.jobs.kafka.RecordConsumer;
import io.streamdetect.records.DetectionRecord;
import io.streamdetect.records.ImageRecord;
import io.streamdetect.testing.SharedFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local {@code stream} command, as a user runs it: its own JVM (the command line's main), the real model on
 * ONNX Runtime, an in-process broker. It is killed with SIGKILL mid-way, then the same command is started again:
 * it resumes from the checkpoint the first run retained under the cache directory, and every input ends as
 * exactly one committed detection record.
 */
class LocalStreamResumeIT {
    private static final int IMAGES = 60;

    @Test
    void aKilledLocalStreamRunResumesWhereItStoppedWithEveryRecordExactlyOnce(@TempDir Path cache) throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(2, "resume-images", "resume-detections", "resume-dead");
            Set<String> sent = produce(kafka.bootstrapServers());
            List<String> command = command(kafka.bootstrapServers());

            Process first = start(command, cache, cache.resolve("run-1.log"));
            int committedBeforeKill;
            try (var detections = consumer(kafka)) {
                Set<String> seen = new HashSet<>();
                boolean some = detections.consume(r -> seen.add(r.value().getRecordId()), () -> seen.size() >= 12,
                        Duration.ofMinutes(3));
                assertThat(some).as("first run committed some detections; its log:%n%s", log(cache, 1)).isTrue();
                first.destroyForcibly(); // SIGKILL: no shutdown hook, no cancel, open transactions left behind
                assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
                committedBeforeKill = seen.size();
            }
            assertThat(committedBeforeKill).as("killed mid-way").isLessThan(IMAGES);
            assertThat(retainedCheckpoints(cache)).as("the first run's checkpoints stay under the cache folder").isNotEmpty();

            Process second = start(command, cache, cache.resolve("run-2.log"));
            Map<String, Integer> counts = new HashMap<>();
            try (var detections = consumer(kafka)) {
                boolean all = detections.consume(r -> counts.merge(r.value().getRecordId(), 1, Integer::sum),
                        () -> counts.size() >= IMAGES, Duration.ofMinutes(6));
                assertThat(all).as("all records committed after the restart; its log:%n%s", log(cache, 2)).isTrue();
                // a few more checkpoints, so a record written twice would have been committed by now
                long settle = System.nanoTime() + Duration.ofSeconds(4).toNanos();
                detections.consume(r -> counts.merge(r.value().getRecordId(), 1, Integer::sum),
                        () -> System.nanoTime() > settle, Duration.ofSeconds(10));
            } finally {
                second.destroyForcibly();
                second.waitFor(30, TimeUnit.SECONDS);
            }
            assertThat(log(cache, 2)).contains("resuming from the retained checkpoint " + cache.resolve("checkpoints"));
            assertThat(counts.keySet()).isEqualTo(sent);
            assertThat(counts.values()).as("no record twice").containsOnly(1);
        }
    }

    private static Set<String> produce(String bootstrap) throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(SharedFiles.coco8().resolve("images/val"))) {
            files = new ArrayList<>(s.sorted().toList());
        }
        files.add(SharedFiles.busJpg());
        Set<String> ids = new HashSet<>();
        List<InputTopic.Input> inputs = new ArrayList<>();
        for (int i = 0; i < IMAGES; i++) {
            ImageRecord r = ImageProducer.fromFile(files.get(i % files.size()), "resume");
            r.setRecordId("img-" + i);
            inputs.add(InputTopic.Input.of(r));
            ids.add(r.getRecordId());
        }
        InputTopic.write(bootstrap, "resume-images", inputs);
        return ids;
    }

    /** The same command both times, with no checkpoint folder given: the local default under the cache is used. */
    private static List<String> command(String bootstrap) {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), StreamDetect.class.getName(),
                "stream", "--model", SharedFiles.model().toString(), "--backend", "onnxruntime", "--threads", "1",
                "--max-batch", "4", "-b", bootstrap, "--input-topic", "resume-images", "--output-topic",
                "resume-detections", "--dead-letter-topic", "resume-dead", "--group-id", "resume-it",
                "--checkpoint-interval-ms", "500");
    }

    private static Process start(List<String> command, Path cache, Path log) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("STREAMDETECT_CACHE", cache.toString());
        return pb.start();
    }

    private static RecordConsumer<DetectionRecord> consumer(EmbeddedKafka kafka) {
        return new RecordConsumer<>(kafka.bootstrapServers(), "resume-detections", DetectionRecord.class,
                new Properties(), true);
    }

    private static List<Path> retainedCheckpoints(Path cache) throws Exception {
        try (Stream<Path> files = Files.walk(cache.resolve("checkpoints"))) {
            return files.filter(p -> p.getFileName().toString().equals("_metadata")).toList();
        }
    }

    private static String log(Path cache, int run) {
        try {
            String text = Files.readString(cache.resolve("run-" + run + ".log"), StandardCharsets.UTF_8);
            return text.length() > 6000 ? text.substring(text.length() - 6000) : text;
        } catch (Exception e) {
            return "(no log: " + e + ")";
        }
    }
}
