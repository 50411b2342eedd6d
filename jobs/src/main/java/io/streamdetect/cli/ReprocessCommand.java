package io.streamdetect.cli;

import static io.streamdetect.jobs.ReprocessJobOptions.*;
import static io.streamdetect.jobs.StreamingJobOptions.*;

import io.streamdetect.jobs.LocalSlots;
import io.streamdetect.jobs.ReprocessJob;
import io.streamdetect.jobs.ReprocessJobOptions;
import io.streamdetect.jobs.ReprocessReport;
import io.streamdetect.jobs.StreamingJobOptions;
import java.io.PrintWriter;
import java.util.Optional;
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
 * {@code streamdetect reprocess}: the detection operator over stored images in Flink's BATCH mode, locally
 * or on the cluster under {@code flink run}; prints the totals at the end.
 */
@Command(name = "reprocess", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Reprocess stored images in batch: an image folder (--images) or a range of the input topic",
                "(--starting-offsets/--stopping-offsets) in; Avro files (--output-dir) or the Kafka topics out.",
                "Prints images read, detection records, dead letters, wall time and images/s at the end."},
        footer = {"%nSettings keys (for --config and --set): those of 'stream' and input.path, input.glob, source-id,",
                "stopping-offsets, output.path. starting-offsets defaults to earliest here."})
public final class ReprocessCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    JobSettingsOptions job;

    @Option(names = "--images", paramLabel = "PATH",
            description = "Folder of images (recursive) or one image, on any Flink file system; instead of Kafka.")
    String images;

    @Option(names = "--glob", paramLabel = "GLOB",
            description = "Which files below --images, by relative path (default: **.{jpg,jpeg,png,JPG,JPEG,PNG}).")
    String glob;

    @Option(names = "--source-id", description = "sourceId of records read from --images (default: the folder's name).")
    String sourceId;

    @Option(names = "--stopping-offsets", paramLabel = "SPEC",
            description = "End of the Kafka range, exclusive: latest (default), timestamp:TIME or PARTITION:OFFSET,...")
    String stoppingOffsets;

    @Option(names = "--output-dir", paramLabel = "PATH",
            description = "Write Avro files to PATH/detections and PATH/dead-letters instead of Kafka.")
    String outputDir;

    @Override
    public Integer call() throws Exception {
        Configuration config = configuration();
        ReprocessJobOptions.validate(config);
        PrintWriter err = spec.commandLine().getErr();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        if (env instanceof LocalStreamEnvironment) { // on a cluster: parallelism as given; here, slots for this host's engine
            (config.contains(INPUT_PATH) ? LocalSlots.prepare(config)
                    : LocalSlots.prepare(config, LocalSlots::inputTopicPartitions))
                    .ifPresent(slots -> err.println("streamdetect reprocess: " + slots));
        }
        err.println("streamdetect reprocess: " + StreamingJobOptions.describe(config));
        Optional<ReprocessReport> run = ReprocessJob.run(env, config);
        PrintWriter out = spec.commandLine().getOut();
        if (run.isEmpty()) {
            out.println("reprocess job submitted detached: its totals are the job's accumulators in the Flink UI");
            return 0;
        }
        ReprocessReport report = run.get();
        out.println(report.summary());
        out.println(config.contains(OUTPUT_PATH)
                ? "output: " + config.get(OUTPUT_PATH) + "/detections, " + config.get(OUTPUT_PATH) + "/dead-letters (Avro)"
                : "output: topics " + config.get(OUTPUT_TOPIC) + ", " + config.get(DEAD_LETTER_TOPIC));
        return 0;
    }

    Configuration configuration() throws Exception {
        Configuration c = job.configuration();
        JobSettingsOptions.set(c, INPUT_PATH, images);
        JobSettingsOptions.set(c, INPUT_GLOB, glob);
        JobSettingsOptions.set(c, SOURCE_ID, sourceId);
        JobSettingsOptions.set(c, STOPPING_OFFSETS, stoppingOffsets);
        JobSettingsOptions.set(c, OUTPUT_PATH, outputDir);
        job.applyOverrides(c);
        return c;
    }
}
