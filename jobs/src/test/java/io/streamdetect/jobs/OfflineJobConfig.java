package io.streamdetect.jobs;

import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;

/** The least a streaming job needs to be built (not run): no broker is reached and no model is read. */
final class OfflineJobConfig {
    private OfflineJobConfig() {}

    static Configuration streaming(Path work) {
        Configuration c = new Configuration();
        c.set(StreamingJobOptions.BOOTSTRAP_SERVERS, "localhost:9092");
        c.set(StreamingJobOptions.MODEL, "m.onnx");
        c.set(StreamingJobOptions.BACKEND, "onnxruntime");
        c.set(StreamingJobOptions.CAPACITY, 16); // else the build reads the model for its batch size
        c.set(StreamingJobOptions.CHECKPOINT_DIR, work.resolve("checkpoints").toUri().toString());
        return c;
    }
}
