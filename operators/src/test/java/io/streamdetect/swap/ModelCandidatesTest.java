package io.streamdetect.swap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which file of a watched path is the model to run, and what makes it count as changed. */
class ModelCandidatesTest {

    @Test
    void inADirectoryTheNameLastInNaturalOrderWinsNotTheNewestFile(@TempDir Path dir) throws Exception {
        assertThat(ModelCandidates.newest(dir)).as("empty").isEmpty();
        Files.writeString(dir.resolve("yolo-v10.onnx"), "a");
        Files.writeString(dir.resolve("yolo-v9.onnx"), "b"); // written later: its time does not count
        Files.writeString(dir.resolve("yolo-v11.onnx.part"), "c"); // not a model name
        Files.writeString(dir.resolve(".yolo-v12.onnx"), "d"); // hidden: still being copied
        Files.writeString(dir.resolve("_yolo-v13.onnx"), "e");
        Files.createDirectory(dir.resolve("yolo-v14.onnx")); // not a file
        assertThat(ModelCandidates.newest(dir).orElseThrow().path()).isEqualTo(dir.resolve("yolo-v10.onnx"));

        Files.writeString(dir.resolve("yolo-v11.engine"), "f");
        assertThat(ModelCandidates.newest(dir).orElseThrow().path()).isEqualTo(dir.resolve("yolo-v11.engine"));
        assertThat(ModelCandidates.newest(dir.resolve("missing"))).isEmpty();
    }

    @Test
    void aWatchedFileIsItsOwnCandidateAndChangesWithItsSizeOrTime(@TempDir Path dir) throws Exception {
        Path model = dir.resolve("current.onnx");
        Files.writeString(model, "v1");
        var first = ModelCandidates.newest(model).orElseThrow();
        assertThat(first.path()).isEqualTo(model);
        assertThat(ModelCandidates.newest(model)).contains(first);
        Files.setLastModifiedTime(model, FileTime.fromMillis(first.modifiedMillis() + 5000));
        assertThat(ModelCandidates.newest(model).orElseThrow()).isNotEqualTo(first);
    }

    @Test
    void naturalOrderComparesDigitRunsAsNumbers() {
        assertThat(ModelCandidates.compareNatural("m-2.onnx", "m-10.onnx")).isNegative();
        assertThat(ModelCandidates.compareNatural("m-010.onnx", "m-9.onnx")).isPositive();
        assertThat(ModelCandidates.compareNatural("m-01.onnx", "m-1.onnx")).isNegative();
        assertThat(ModelCandidates.compareNatural("2026-12-01.onnx", "2026-11-30.onnx")).isPositive();
        assertThat(ModelCandidates.compareNatural("m-1.onnx", "m-1.onnx")).isZero();
        assertThat(ModelCandidates.compareNatural("a", "b")).isNegative();
        assertThat(ModelCandidates.compareNatural("99999999999999999999a", "100000000000000000000")).isNegative();
    }

    @Test
    void theAcceptedModelRoundTripsThroughTheStateAndTheLatestOfTheSlotsWins() {
        var older = new AcceptedModel("/models/v1.onnx", "aa", 1000);
        var newer = new AcceptedModel("/models/with\ttab and spaces/v2.onnx", "bb", 2000);
        assertThat(AcceptedModel.decode(newer.encode())).isEqualTo(newer);
        assertThat(AcceptedModel.latest(java.util.List.of(older.encode(), newer.encode(), older.encode())))
                .contains(newer);
        assertThat(AcceptedModel.latest(java.util.List.of())).isEmpty();
    }
}
