package io.streamdetect.cli;

import static io.streamdetect.jobs.StreamingJobOptions.*;

import io.streamdetect.jobs.LocalCheckpoints;
import io.streamdetect.jobs.LocalSlots;
import io.streamdetect.jobs.StreamingDetectionJob;
import io.streamdetect.jobs.StreamingJobOptions;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code streamdetect stream}: runs the streaming job, on a local Flink environment when started from the
 * command line, on the cluster when submitted with {@code flink run}.
 */
@Command(name = "stream", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the streaming detection job: Kafka ImageRecords -> detections, exactly once.",
                "Settings come from --config FILE (a .properties file with the keys below), then the flags."},
        footer = {"%nSettings keys (for --config and --set): bootstrap.servers, input.topic, output.topic,",
                "dead-letter.topic, group.id, model, backend, precision, batch.max-size, batch.max-delay, batch.wait,",
                "onnxruntime.threads, parallelism, confidence, iou, max-detections, decode.max-bytes, decode.max-pixels,",
                "checkpoint.interval, checkpoint.dir, timeout, capacity, ordered, bounded, starting-offsets, transaction.timeout,",
                "and kafka.<client property>."})
public final class StreamCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    JobSettingsOptions job;

    @Option(names = "--checkpoint-interval-ms", description = "Checkpoint interval, ms (default: 5000).")
    Long checkpointMs;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR",
            description = "Where checkpoints go and are retained (file:///..., s3://...; default for a local run: "
                    + "a folder per job under ~/.cache/streamdetect/checkpoints, resumed from on the next run).")
    String checkpointDir;

    @Option(names = "--bounded", description = "Stop at the input's end offsets as of the start.")
    Boolean bounded;

    @Override
    public Integer call() throws Exception {
        Configuration config = configuration();
        validate(config);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        if (env instanceof LocalStreamEnvironment) {
            // a cluster keeps its own checkpoints (its execution.checkpointing.dir, or checkpoint.dir)
            LocalCheckpoints.prepare(config).ifPresent(chk ->
                    spec.commandLine().getErr().println("streamdetect stream: resuming from the retained checkpoint " + chk));
            // on a cluster the job uses parallelism as given; here, without it, the slots suit this host's engine
            LocalSlots.prepare(config, LocalSlots::inputTopicPartitions).ifPresent(slots ->
                    spec.commandLine().getErr().println("streamdetect stream: " + slots));
        }
        spec.commandLine().getErr().println("streamdetect stream: " + StreamingJobOptions.describe(config));
        StreamingDetectionJob.build(env, config);
        env.execute("streamdetect " + config.get(INPUT_TOPIC) + " -> " + config.get(OUTPUT_TOPIC));
        return 0;
    }

    /** The file's settings, overridden by the flags given. */
    Configuration configuration() throws Exception {
        Configuration c = job.configuration();
        JobSettingsOptions.set(c, CHECKPOINT_INTERVAL, checkpointMs == null ? null : Duration.ofMillis(checkpointMs));
        JobSettingsOptions.set(c, BOUNDED, bounded);
        JobSettingsOptions.set(c, CHECKPOINT_DIR, checkpointDir);
        job.applyOverrides(c);
        return c;
    }
}
