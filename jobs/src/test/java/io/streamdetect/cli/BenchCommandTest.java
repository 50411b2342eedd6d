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
        assertThat(run.out()).contains("4 images from", "2 stream(s)", "| onnxruntime | fp32 | 2 | compute only |",
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
        assertThat(run.out()).contains("| onnxruntime | fp32 | 1 |",
                "batch 4 skipped: yolov8n has a fixed batch size of 1 (export it with dynamic=True");
    }
}
