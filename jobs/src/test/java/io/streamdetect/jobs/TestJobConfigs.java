package io.streamdetect.jobs;

import io.streamdetect.testing.SharedFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;

/** Streaming job configurations the tests start from. */
public final class TestJobConfigs {
    private TestJobConfigs() {}

    /** The least a streaming job needs to be built (not run): no broker is reached and no model is read. */
    public static Configuration offline(Path work) {
        Configuration c = new Configuration();
        c.set(StreamingJobOptions.BOOTSTRAP_SERVERS, "localhost:9092");
        c.set(StreamingJobOptions.MODEL, "m.onnx");
        c.set(StreamingJobOptions.BACKEND, "onnxruntime");
        c.set(StreamingJobOptions.CAPACITY, 16); // else the build reads the model for its batch size
        c.set(StreamingJobOptions.CHECKPOINT_DIR, work.resolve("checkpoints").toUri().toString());
        return c;
    }

    /**
     * A job that runs: topics {@code in}, {@code out}, {@code dead} on the broker, the shared model on ONNX Runtime
     * with one thread per call, parallelism 2, checkpoints in a new temporary folder.
     */
    public static Configuration onBroker(String bootstrap, String in, String out, String dead) throws IOException {
        Configuration c = new Configuration();
        c.set(StreamingJobOptions.CHECKPOINT_DIR, Files.createTempDirectory("streamdetect-it-checkpoints").toUri().toString());
        c.set(StreamingJobOptions.BOOTSTRAP_SERVERS, bootstrap);
        c.set(StreamingJobOptions.INPUT_TOPIC, in);
        c.set(StreamingJobOptions.OUTPUT_TOPIC, out);
        c.set(StreamingJobOptions.DEAD_LETTER_TOPIC, dead);
        c.set(StreamingJobOptions.GROUP_ID, "it-" + in);
        c.set(StreamingJobOptions.MODEL, SharedFiles.model().toString());
        c.set(StreamingJobOptions.BACKEND, "onnxruntime");
        c.set(StreamingJobOptions.INTRA_OP_THREADS, 1);
        c.set(StreamingJobOptions.PARALLELISM, 2);
        return c;
    }
}
