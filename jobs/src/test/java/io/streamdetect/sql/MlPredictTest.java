package io.streamdetect.sql;

import static org.apache.flink.table.api.DataTypes.BYTES;
import static org.apache.flink.table.api.DataTypes.FIELD;
import static org.apache.flink.table.api.DataTypes.ROW;
import static org.apache.flink.table.api.DataTypes.STRING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdetect.postprocess.DetectedObject;
import io.streamdetect.testing.ReferenceDetections;
import io.streamdetect.testing.SharedFiles;
import io.streamdetect.testing.TestImages;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code CREATE MODEL ... WITH ('provider' = 'streamdetect')} and {@code ML_PREDICT} on the MiniCluster with the
 * real YOLO11n model (ONNX Runtime): detections for a good image, an error row for each bad one, and model
 * definitions that cannot work refused with the option or column named.
 */
class MlPredictTest {
    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(1).build());

    static final String OUTPUT = "detections ARRAY<ROW<class_id INT, class_name STRING, score FLOAT, x1 FLOAT, "
            + "y1 FLOAT, x2 FLOAT, y2 FLOAT>>, width INT, height INT, error_kind STRING, error_message STRING";

    private static StreamTableEnvironment tables() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        return StreamTableEnvironment.create(env);
    }

    private static String model(String extraOptions) {
        return "CREATE TEMPORARY MODEL detector INPUT (image BYTES) OUTPUT (" + OUTPUT + ") WITH ("
                + "'provider' = 'streamdetect', 'model' = '" + SharedFiles.model() + "', 'backend' = 'onnxruntime', "
                + "'onnxruntime.threads' = '1', 'batch.max-size' = '4'" + extraOptions + ")";
    }

    @Test
    void detectsObjectsAndTurnsBadImagesIntoErrorRows() throws Exception {
        StreamTableEnvironment tables = tables();
        byte[] bus = TestImages.bus();
        Table images = tables.fromValues(ROW(FIELD("id", STRING()), FIELD("image", BYTES())),
                Row.of("bus-1", bus), Row.of("bus-2", bus), Row.of("bus-3", bus),
                Row.of("text", "<html>not an image</html>".getBytes(StandardCharsets.UTF_8)),
                Row.of("truncated", TestImages.truncated(bus, 0.4)),
                Row.of("empty", new byte[0]));
        tables.createTemporaryView("images", images);
        tables.executeSql(model(""));

        Map<String, Row> byId = new HashMap<>();
        try (CloseableIterator<Row> rows = tables.executeSql(
                "SELECT id, detections, width, height, error_kind, error_message "
                        + "FROM ML_PREDICT(TABLE images, MODEL detector, DESCRIPTOR(image))").collect()) {
            rows.forEachRemaining(r -> byId.put((String) r.getField("id"), r));
        }

        assertThat(byId).containsOnlyKeys("bus-1", "bus-2", "bus-3", "text", "truncated", "empty");
        for (String id : List.of("bus-1", "bus-2", "bus-3")) {
            Row r = byId.get(id);
            assertThat(r.getField("error_kind")).as(id).isNull();
            assertThat(r.getField("width")).isEqualTo(810);
            assertThat(r.getField("height")).isEqualTo(1080);
            ReferenceDetections.assertMatches(objects(r), ReferenceDetections.BUS);
        }
        assertThat(byId.get("text").getField("error_kind")).isEqualTo("UNSUPPORTED_FORMAT");
        assertThat(byId.get("truncated").getField("error_kind")).isEqualTo("TRUNCATED_IMAGE");
        assertThat(byId.get("empty").getField("error_kind")).isEqualTo("EMPTY_IMAGE");
        for (String id : List.of("text", "truncated", "empty")) {
            assertThat((Row[]) byId.get(id).getField("detections")).as(id).isEmpty();
            assertThat((String) byId.get(id).getField("error_message")).as(id).isNotBlank();
            assertThat(byId.get(id).getField("width")).isNull();
        }
    }

    static List<DetectedObject> objects(Row r) {
        List<DetectedObject> objects = new ArrayList<>();
        for (Row d : (Row[]) r.getField("detections")) {
            objects.add(new DetectedObject((Integer) d.getField(0), (String) d.getField(1), (Float) d.getField(2),
                    (Float) d.getField(3), (Float) d.getField(4), (Float) d.getField(5), (Float) d.getField(6)));
        }
        return objects;
    }

    @Test
    void aWrongOptionIsRefusedNamingIt() {
        StreamTableEnvironment tables = tables();
        tables.createTemporaryView("images", tables.fromValues(ROW(FIELD("image", BYTES())), Row.of(new byte[0])));
        tables.executeSql(model(", 'confidence' = '1.5'"));
        assertThatThrownBy(() -> tables.sqlQuery(
                "SELECT * FROM ML_PREDICT(TABLE images, MODEL detector, DESCRIPTOR(image))").execute())
                .hasStackTraceContaining("'confidence' must be within 0.0..1.0, got 1.5");

        tables.executeSql("DROP TEMPORARY MODEL detector");
        tables.executeSql(model(", 'backend' = 'cuda'").replace("'backend' = 'onnxruntime', ", ""));
        assertThatThrownBy(() -> tables.sqlQuery(
                "SELECT * FROM ML_PREDICT(TABLE images, MODEL detector, DESCRIPTOR(image))").execute())
                .hasStackTraceContaining("'backend': unknown backend 'cuda'");

        // the model swap needs operator state a SQL predict function has not: refused, with what to do instead
        tables.executeSql("DROP TEMPORARY MODEL detector");
        tables.executeSql(model(", 'model.watch' = '/models/detector'"));
        assertThatThrownBy(() -> tables.sqlQuery(
                "SELECT * FROM ML_PREDICT(TABLE images, MODEL detector, DESCRIPTOR(image))").execute())
                .hasStackTraceContaining("'model.watch' is not supported by ML_PREDICT")
                .hasStackTraceContaining("stream -D model.watch=");
    }

    @Test
    void anOutputColumnTheModelDoesNotFillIsRefused() {
        StreamTableEnvironment tables = tables();
        tables.createTemporaryView("images", tables.fromValues(ROW(FIELD("image", BYTES())), Row.of(new byte[0])));
        tables.executeSql(model("").replace("width INT", "labels STRING"));
        assertThatThrownBy(() -> tables.sqlQuery(
                "SELECT * FROM ML_PREDICT(TABLE images, MODEL detector, DESCRIPTOR(image))").execute())
                .hasStackTraceContaining("output column 'labels' is not one the streamdetect model fills");
    }
}
