package io.streamdetect.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.jobs.demo.EmbeddedKafka;
import io.streamdetect.jobs.kafka.ImageProducer;
import io.streamdetect.jobs.kafka.InputTopic;
import io.streamdetect.jobs.kafka.RecordConsumer;
import io.streamdetect.records.DeadLetter;
import io.streamdetect.records.DetectionRecord;
import io.streamdetect.testing.SharedFiles;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job jar as {@code flink run} gets it: its entry point ({@link FlinkMain}) started in a fresh JVM whose
 * class path is the jar plus only what the jar leaves to the cluster (Flink, target/provided-classpath.txt, and
 * the logging jars of Flink's lib/).
 * Proves the jar carries our code, the connectors, ONNX Runtime and OpenCV, and that both jobs and a SQL script
 * run from it.
 * Runs after {@code package} (failsafe).
 */
class FlinkJobJarIT {

    record Run(int exit, String output) {}

    @Test
    void reprocessRunsFromTheJar(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        Run run = runJar("reprocess", "--model", SharedFiles.model().toString(), "--backend", "onnxruntime",
                "--images", SharedFiles.coco8().resolve("images").toString(), "--output-dir", out.toString(),
                "--parallelism", "1");
        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains("read 8 images: 8 detection records", "0 dead letters");
        assertThat(ReprocessJobIT.readAvro(out.resolve("detections"), DetectionRecord.class)).hasSize(8);
        assertThat(ReprocessJobIT.readAvro(out.resolve("dead-letters"), DeadLetter.class)).isEmpty();
    }

    @Test
    void streamRunsFromTheJar() throws Exception {
        try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
            kafka.createTopics(1, "jar-images", "jar-detections", "jar-dead");
            Set<String> sent = new HashSet<>();
            List<InputTopic.Input> inputs = new java.util.ArrayList<>();
            for (Path image : List.of(SharedFiles.busJpg(), SharedFiles.coco8().resolve("images/val/000000000036.jpg"))) {
                var record = ImageProducer.fromFile(image, "jar");
                inputs.add(InputTopic.Input.of(record));
                sent.add(record.getRecordId());
            }
            InputTopic.write(kafka.bootstrapServers(), "jar-images", inputs);
            Run run = runJar("stream", "--model", SharedFiles.model().toString(), "--backend", "onnxruntime",
                    "-b", kafka.bootstrapServers(), "--input-topic", "jar-images", "--output-topic", "jar-detections",
                    "--dead-letter-topic", "jar-dead", "--group-id", "jar-it", "--bounded", "--starting-offsets", "earliest",
                    "--checkpoint-interval-ms", "500");
            assertThat(run.exit()).as(run.output()).isZero();
            Set<String> detected = new HashSet<>();
            try (var consumer = new RecordConsumer<>(kafka.bootstrapServers(), "jar-detections", DetectionRecord.class,
                    new Properties(), true)) {
                consumer.consume(r -> detected.add(r.value().getRecordId()), () -> detected.size() >= sent.size(),
                        Duration.ofSeconds(30));
            }
            assertThat(detected).isEqualTo(sent);
        }
    }

    /** The SQL model provider and the image-folder format are found through the jar's merged service file. */
    @Test
    void sqlRunsFromTheJar(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("json");
        Run run = runJar("sql", "-f", "../examples/sql/folder-detections.sql",
                "--var", "images=" + SharedFiles.coco8().resolve("images"), "--var", "output=" + out,
                "--var", "model=" + SharedFiles.model(), "--var", "backend=onnxruntime");
        assertThat(run.exit()).as(run.output()).isZero();
        List<String> lines = new ArrayList<>();
        try (var files = Files.walk(out)) {
            for (Path f : files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith("."))
                    .toList()) {
                lines.addAll(Files.readAllLines(f));
            }
        }
        assertThat(lines).hasSize(8).allSatisfy(l -> assertThat(l).contains("\"error_kind\":null"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("\"class_name\":"));
    }

    @Test
    void aBadCommandFailsWithItsReasonAndWithoutExitingTheJvmItself(@TempDir Path dir) throws Exception {
        Run run = runJar("reprocess", "--images", dir.toString());
        assertThat(run.exit()).isNotZero();
        assertThat(run.output()).contains("missing setting(s): model", "failed with exit code 2");
    }

    private static Run runJar(String... args) throws Exception {
        Path jar = Path.of(System.getProperty("streamdetect.jobJar"));
        String provided = Files.readString(Path.of(System.getProperty("streamdetect.providedClasspath"))).trim();
        // a Flink distribution's lib/ also has the logging jars (slf4j-api, log4j), which the job jar leaves out
        String logging = String.join(File.pathSeparator, java.util.Arrays.stream(
                System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(p -> p.contains("/org/slf4j/") || p.contains("/org/apache/logging/log4j/")).toList());
        assertThat(jar).exists();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx2g",
                "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED",
                "-cp", String.join(File.pathSeparator, jar.toString(), provided, logging), FlinkMain.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();   // until the JVM ends
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
        return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }
}
