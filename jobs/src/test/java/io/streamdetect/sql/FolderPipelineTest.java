package io.streamdetect.sql;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamdetect.jobs.sql.SqlRunner;
import io.streamdetect.jobs.sql.SqlScript;
import io.streamdetect.testing.SharedFiles;
import io.streamdetect.testing.TestImages;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code examples/sql/folder-detections.sql} on the MiniCluster: a folder of images (the {@code streamdetect-image}
 * format) → ML_PREDICT → JSON files, one line per file, the broken ones with their error.
 */
class FolderPipelineTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1).build());

    @Test
    void aFolderOfImagesBecomesJsonLinesOfDetections(@TempDir Path tmp) throws Exception {
        Path images = tmp.resolve("cam-7");
        Files.createDirectories(images.resolve("day-1"));
        Files.copy(SharedFiles.busJpg(), images.resolve("day-1/bus.jpg"));
        try (Stream<Path> val = Files.list(SharedFiles.coco8().resolve("images/val"))) {
            for (Path p : val.toList()) {
                Files.copy(p, images.resolve(p.getFileName()));
            }
        }
        Files.write(images.resolve("day-1/cut.jpg"), TestImages.truncated(TestImages.bus(), 0.4));
        Path output = tmp.resolve("out");
        Map<String, String> vars = Map.of("images", images.toString(), "output", output.toString(),
                "model", SharedFiles.model().toString(), "backend", "onnxruntime");

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        List<String> statements = SqlScript.statements(Files.readString(Path.of("../examples/sql/folder-detections.sql")), vars);
        new SqlRunner(SqlRunner.environmentFor(statements, env), new PrintWriter(new StringWriter()), false).run(statements);

        Map<String, JsonNode> byId = new HashMap<>();
        ObjectMapper json = new ObjectMapper();
        try (Stream<Path> files = Files.walk(output)) {
            for (Path f : files.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith("."))
                    .toList()) {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    JsonNode row = json.readTree(line);
                    byId.put(row.get("record_id").asText(), row);
                }
            }
        }
        assertThat(byId).hasSize(6).containsKeys("day-1/bus.jpg", "day-1/cut.jpg");
        JsonNode bus = byId.get("day-1/bus.jpg");
        assertThat(bus.get("width").asInt()).isEqualTo(810);
        assertThat(bus.get("detections")).hasSize(5);
        assertThat(bus.get("detections").get(0).get("class_name").asText()).isIn(List.of("person", "bus"));
        assertThat(byId.get("day-1/cut.jpg").get("error_kind").asText()).isEqualTo("TRUNCATED_IMAGE");
        assertThat(byId.values().stream().filter(r -> r.get("error_kind").isNull()).count()).isEqualTo(5);
    }
}
