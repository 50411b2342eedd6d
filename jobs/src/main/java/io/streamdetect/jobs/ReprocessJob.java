package io.streamdetect.jobs;

import static io.streamdetect.jobs.ReprocessJobOptions.*;
import static io.streamdetect.jobs.StreamingJobOptions.*;

import io.streamdetect.flink.DetectionOperator;
import io.streamdetect.jobs.files.ImageFileSource;
import io.streamdetect.records.DeadLetter;
import io.streamdetect.records.DetectionRecord;
import io.streamdetect.records.ImageRecord;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.DetachedJobExecutionResult;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;

/**
 * Reprocesses stored images with the streaming job's detection operator, in Flink's BATCH execution mode:
 * an image folder ({@code input.path}) or a bounded range of the input topic in, Avro files
 * ({@code output.path}) or the Kafka topics out. Settings: {@link ReprocessJobOptions} and
 * {@link StreamingJobOptions}. Totals come back as Flink accumulators ({@link #run}).
 */
public final class ReprocessJob {
    static final String DETECTION_RECORDS = "streamdetect.detection-records";
    static final String OBJECTS = "streamdetect.objects";
    static final String DEAD_LETTERS = "streamdetect.dead-letters";

    private ReprocessJob() {}

    /** Adds the job to {@code env}, switching it to BATCH execution. */
    public static void build(StreamExecutionEnvironment env, Configuration config) {
        ReprocessJobOptions.validate(config);
        env.setRuntimeMode(RuntimeExecutionMode.BATCH);
        env.setParallelism(config.get(PARALLELISM));
        ObjectReuse.configure(env, config);

        InputRecords input = InputRecords.split(env
                .fromSource(source(config), WatermarkStrategy.noWatermarks(), describeInput(config))
                .returns(InputRecords.type())
                .uid("streamdetect-source"));
        DetectionOperator.Outputs outputs = StreamingDetectionJob.operator(config).apply(input.images());

        DataStream<DetectionRecord> detections = outputs.detections()
                .map(RecordCounter.<DetectionRecord>counting(DETECTION_RECORDS, OBJECTS, r -> (long) r.getDetections().size()))
                .returns(new AvroTypeInfo<>(DetectionRecord.class)).name("count-detections").uid("streamdetect-count-detections");
        DataStream<DeadLetter> deadLetters = outputs.deadLetters().union(input.unreadable())
                .map(RecordCounter.<DeadLetter>countingBy(DEAD_LETTERS, d -> d.getErrorKind().name()))
                .returns(new AvroTypeInfo<>(DeadLetter.class)).name("count-dead-letters").uid("streamdetect-count-dead-letters");

        if (config.contains(OUTPUT_PATH)) {
            String out = config.get(OUTPUT_PATH).replaceAll("/+$", "");
            detections.sinkTo(RecordSinks.avroFiles(out + "/detections", DetectionRecord.class, "detections"))
                    .name("avro-detections").uid("streamdetect-detections-sink");
            deadLetters.sinkTo(RecordSinks.avroFiles(out + "/dead-letters", DeadLetter.class, "dead-letters"))
                    .name("avro-dead-letters").uid("streamdetect-dead-letters-sink");
        } else {
            // own transactional ids: a streaming job with the same group.id may be running beside this one
            detections.sinkTo(RecordSinks.kafka(config, config.get(OUTPUT_TOPIC), DetectionRecord.class,
                    DetectionRecord::getRecordId, "reprocess-detections"))
                    .name("kafka-detections").uid("streamdetect-detections-sink");
            deadLetters.map(new DeadLetterPayloads(config.get(MAX_BYTES))).returns(new AvroTypeInfo<>(DeadLetter.class))
                    .name("dead-letter-payloads").uid("streamdetect-dead-letter-payloads")
                    .sinkTo(RecordSinks.kafka(config, config.get(DEAD_LETTER_TOPIC), DeadLetter.class,
                    DeadLetter::getRecordId, "reprocess-dead-letters"))
                    .name("kafka-dead-letters").uid("streamdetect-dead-letters-sink");
        }
    }

    /**
     * Builds the job on {@code env}, runs it and reports its totals; empty when it was submitted detached
     * ({@code flink run -d}: Flink prints the job id, the totals stay in the job's accumulators).
     */
    public static Optional<ReprocessReport> run(StreamExecutionEnvironment env, Configuration config) throws Exception {
        build(env, config);
        long start = System.nanoTime();
        JobExecutionResult result = env.execute("streamdetect reprocess " + describeInput(config));
        if (result instanceof DetachedJobExecutionResult) {
            return Optional.empty();
        }
        return Optional.of(report(result, Duration.ofNanos(System.nanoTime() - start)));
    }

    /** The totals of a finished run. */
    static ReprocessReport report(JobExecutionResult result, Duration wallTime) {
        Map<String, Long> byKind = new TreeMap<>();
        result.getAllAccumulatorResults().forEach((name, value) -> {
            if (name.startsWith(DEAD_LETTERS + ".")) {
                byKind.put(name.substring(DEAD_LETTERS.length() + 1), ((Number) value).longValue());
            }
        });
        return new ReprocessReport(counter(result, DETECTION_RECORDS), counter(result, OBJECTS),
                counter(result, DEAD_LETTERS), byKind, wallTime);
    }

    private static long counter(JobExecutionResult result, String name) {
        Object value = result.getAccumulatorResult(name);
        return value == null ? 0 : ((Number) value).longValue();   // absent: no record ever reached the counter
    }

    static Source<Either<DeadLetter, ImageRecord>, ?, ?> source(Configuration config) {
        if (config.contains(INPUT_PATH)) {
            String root = config.get(INPUT_PATH);
            String sourceId = config.getOptional(SOURCE_ID).orElseGet(() -> new org.apache.flink.core.fs.Path(root).getName());
            return ImageFileSource.of(root, config.get(INPUT_GLOB), sourceId, config.get(MAX_BYTES));
        }
        return StreamingDetectionJob.source(config, startingOffsets(config), config.get(STOPPING_OFFSETS));
    }

    static String describeInput(Configuration config) {
        if (config.contains(INPUT_PATH)) {
            return config.get(INPUT_PATH);
        }
        return "kafka " + config.get(INPUT_TOPIC) + " [" + startingOffsets(config) + ", " + config.get(STOPPING_OFFSETS) + ")";
    }

    /** Here the range starts at the beginning unless told otherwise, not at the streaming group's offsets. */
    private static String startingOffsets(Configuration config) {
        return config.getOptional(STARTING_OFFSETS).orElse(DEFAULT_STARTING_OFFSETS);
    }
}
