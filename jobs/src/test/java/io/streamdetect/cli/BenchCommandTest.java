package io.streamdetect.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.testing.SharedFiles;
import org.junit.jupiter.api.Test;

/** `bench` end-to-end mode on ONNX Runtime (the GPU rows run on the GPU machine, docs/benchmarks.md). */
class BenchCommandTest {

    @Test
    void endToEndModePrintsComputeOnlyAndCpuPreprocessingWithTheirRatio() {
        var run = PredictCommandTest.run("bench", "-m", SharedFiles.model().toString(), "--backends", "onnxruntime",
                "--batches", "2", "--seconds", "0.2", "--preprocess", "cpu", "--images",
                SharedFiles.coco8().resolve("images/val").toString(), "--streams", "2");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("4 images from", "2 stream(s)", "batch.gpu-decode-hold 1000 us",
                "| onnxruntime | fp32 | 2 | compute only |",
                "| onnxruntime | fp32 | 2 | cpu pre-processing, end to end |");
    }

    @Test
    void gpuPreprocessingOnOnnxRuntimeAndMissingImagesAreClearErrors() {
        var noImages = PredictCommandTest.run("bench", "-m", SharedFiles.model().toString(), "--preprocess", "gpu");
        assertThat(noImages.exit()).isNotZero();
        assertThat(noImages.err()).contains("--preprocess needs --images DIR");
        var onCpu = PredictCommandTest.run("bench", "-m", SharedFiles.model().toString(), "--backends", "onnxruntime",
                "--batches", "1", "--seconds", "0.1", "--preprocess", "gpu", "--images",
                SharedFiles.coco8().resolve("images/val").toString());
        assertThat(onCpu.exit()).isNotZero();
        assertThat(onCpu.err()).contains("GPU pre-processing needs the TensorRT backend");
    }

    @Test
    void batchesAboveAModelsFixedBatchAreSkippedWithTheFix() {
        var run = PredictCommandTest.run("bench", "-m", SharedFiles.exportedModel("yolov8n.onnx").toString(),
                "--backends", "onnxruntime", "--batches", "1,4", "--seconds", "0.2");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("| onnxruntime | fp32 | n/a | n/a | 1 |",
                "batch 4 skipped: yolov8n has a fixed batch size of 1 (export it with dynamic=True");
    }

    /**
     * Issue 18: latency mode measures the max rate, then runs both batching rules on the same Poisson arrivals, each
     * run after a warm-up; a second table says where the micro-batcher's time went in the measured windows.
     */
    @Test
    void latencyModeComparesAdaptiveAndFixedWaitingAtFractionsOfTheMaxRateAndAtAbsoluteRates() {
        var run = PredictCommandTest.run("bench", "-m", SharedFiles.model().toString(), "--backends", "onnxruntime",
                "--batches", "2", "--seconds", "0.3", "--latency", "0.5", "--rates", "2", "--latency-images", "6",
                "--latency-rounds", "2", "--warm-up-seconds", "0.3",
                "--images", SharedFiles.coco8().resolve("images/val").toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("(max, saturated)", "batch.max-delay 5 ms", "warm-up of 0.3 s or more");
        String[] tables = run.out().split("\\R\\R");
        assertThat(tables).as(run.out()).hasSize(3);
        java.util.List<String> rows = tables[0].lines().filter(l -> l.startsWith("| onnxruntime | fp32 | 2 |")
                && !l.contains("max, saturated")).toList();
        assertThat(rows).as(run.out()).hasSize(4);
        assertThat(rows.get(0)).contains("| 0.50 | adaptive | 6 |");
        assertThat(rows.get(1)).contains("| 0.50 | fixed | 6 |");
        assertThat(rows.get(2)).contains("| adaptive | 6 |");
        assertThat(rows.get(3)).contains("| fixed | 6 |");

        java.util.List<String> stageLines = tables[1].lines().toList();
        assertThat(stageLines.get(0)).startsWith("Where the time goes per batch");
        assertThat(stageLines.get(1)).contains("| prepare: decode |", "| inference: engine |",
                "| warm-up: s per run, graph captures (ms) |");
        java.util.List<String> stages = stageLines.stream().filter(l -> l.startsWith("| onnxruntime | fp32 | 2 |")).toList();
        assertThat(stages).as(tables[1]).hasSize(5);
        int columns = stageLines.get(1).split("\\|", -1).length;
        assertThat(stages).allSatisfy(l -> assertThat(l.split("\\|", -1)).hasSize(columns));
        assertThat(stages.get(0)).contains("(max, saturated)");
        // ONNX Runtime captures no CUDA graphs, in the warm-up or after it
        assertThat(stages.get(1)).contains("| adaptive | ").containsPattern("\\| \\d+\\.\\d\\d s, 0 \\(0\\.0\\) \\| 0 \\(0\\.0\\) \\|");
        assertThat(stages.get(4)).contains("| fixed | ");

        java.util.List<String> longLines = tables[2].lines().toList();
        assertThat(longLines.get(0)).startsWith("Long stretches");
        java.util.List<String> longRows = longLines.stream().filter(l -> l.startsWith("| onnxruntime | fp32 | 2 |")).toList();
        assertThat(longRows).as(tables[2]).hasSize(5);
        int longColumns = longLines.get(1).split("\\|", -1).length;
        // per stage: stretches of at least 1/2/4/8/16 ms
        assertThat(longRows).allSatisfy(l -> assertThat(l.split("\\|", -1)).hasSize(longColumns)
                .anySatisfy(cell -> assertThat(cell.trim()).matches("\\d+/\\d+/\\d+/\\d+/\\d+")));
    }

    /**
     * Issue 18: several slots on one engine, the arrivals dealt to them in turn, their prepare threads polling for
     * images between batches (batch.idle-spin); every image has its outcome.
     */
    @Test
    void latencyModeDealsTheArrivalsToSeveralSlots() {
        var run = PredictCommandTest.run("bench", "-m", SharedFiles.model().toString(), "--backends", "onnxruntime",
                "--batches", "1", "--seconds", "0.3", "--rates", "4", "--latency-images", "6", "--latency-rounds", "1",
                "--batch-wait", "adaptive", "--warm-up-seconds", "0", "--streams", "2", "--idle-spin-ms", "20",
                "--images", SharedFiles.coco8().resolve("images/val").toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("2 slot(s)", "batch.idle-spin 20 ms");
        // the images each slot's batcher ran, counted by the batchers themselves
        assertThat(run.out().lines().filter(l -> l.startsWith("| onnxruntime | fp32 | 1 |")).toList())
                .as(run.out()).anySatisfy(l -> assertThat(l).contains("| adaptive | 6 (3 + 3) |"));
        var none = PredictCommandTest.run("bench", "-m", SharedFiles.model().toString(), "--rates", "4", "--streams", "0",
                "--images", SharedFiles.coco8().resolve("images/val").toString());
        assertThat(none.exit()).isNotZero();
        assertThat(none.err()).contains("--streams must be at least 1");
        var tooLong = PredictCommandTest.run("bench", "-m", SharedFiles.model().toString(), "--rates", "4",
                "--idle-spin-ms", "1001", "--images", SharedFiles.coco8().resolve("images/val").toString());
        assertThat(tooLong.exit()).isNotZero();
        assertThat(tooLong.err()).contains("--idle-spin-ms must be from 0 (park at once) to 1000, got 1001");
    }

    @Test
    void latencyModeNeedsImagesAndFractionsOfAtMostOne() {
        var noImages = PredictCommandTest.run("bench", "-m", SharedFiles.model().toString(), "--latency", "0.5");
        assertThat(noImages.exit()).isNotZero();
        assertThat(noImages.err()).contains("--latency/--rates needs --images DIR");
        var overMax = PredictCommandTest.run("bench", "-m", SharedFiles.model().toString(), "--latency", "1.5",
                "--images", SharedFiles.coco8().resolve("images/val").toString());
        assertThat(overMax.exit()).isNotZero();
        assertThat(overMax.err()).contains("above 0 and at most 1, got 1.5");
    }

    @Test
    void aGpuDecodeHoldOutOfRangeIsRefusedBeforeAnEngineOpens() {
        for (String bad : new String[] {"-5", "10001", "18446744073709552"}) {
            var run = PredictCommandTest.run("bench", "-m", SharedFiles.model().toString(), "--backends",
                    "onnxruntime", "--batches", "1", "--gpu-decode-hold-us", bad);
            assertThat(run.exit()).as(bad).isNotZero();
            assertThat(run.err()).as(bad).contains("--gpu-decode-hold-us must be from 0 (no hold) to 10000");
            assertThat(run.out()).as(bad).doesNotContain("| onnxruntime |");
        }
    }
}
