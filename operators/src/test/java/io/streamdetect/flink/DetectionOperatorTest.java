package io.streamdetect.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.testing.SharedFiles;
import org.junit.jupiter.api.Test;

/** The operator's defaults that depend on the model: images in flight follow a fixed batch. */
class DetectionOperatorTest {

    @Test
    void imagesInFlightFollowTheModelsFixedBatch() {
        var dynamic = DetectionOperator.builder().setModel(SharedFiles.model().toString()).setMaxBatchSize(8).build();
        assertThat(dynamic.settings().capacity()).as("8 batches of 8").isEqualTo(64);
        // batch fixed at 1: 64 images queued behind a model that runs one at a time would outlast the timeout
        var fixed = DetectionOperator.builder().setModel(SharedFiles.exportedModel("yolov8n.onnx").toString())
                .setMaxBatchSize(8).build();
        assertThat(fixed.settings().capacity()).as("the floor of 16").isEqualTo(16);
        assertThat(fixed.settings().batching().maxBatchSize()).as("the engine caps it; the setting stays").isEqualTo(8);
        var remote = DetectionOperator.builder().setModel("/models/only-on-the-taskmanagers.onnx").setMaxBatchSize(8)
                .build();
        assertThat(remote.settings().capacity()).isEqualTo(64);
    }
}
