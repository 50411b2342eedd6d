package io.streamdetect.jobs;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The jobs run with Flink's object reuse on unless {@code pipeline.object-reuse} is set, with the job's settings
 * ({@code -D pipeline.object-reuse=false}) or in Flink's configuration.
 *
 * <p>Why: an image record carries its whole JPEG (50–500 KB). With reuse off, Flink's default, every record is
 * deep-copied at each hop between chained operators: five copies of the image before the detection operator (one
 * for each of the source's two consumers, readable and unreadable, then one at each of the three hops on to the
 * async operator), all on the one task thread that also feeds the slot and emits its results. With reuse on, the
 * async operator copies its input once (Flink does so because it holds records until their results), and nothing
 * else is copied: four copies fewer.
 *
 * <p>What makes it safe here: the sources build a new record for every input, and the jobs' functions neither
 * change a record they are given nor keep one after passing it on. A user function added to these jobs must do the
 * same, or set the key to false.
 */
final class ObjectReuse {
    private ObjectReuse() {}

    /** Applies the setting of {@code settings}, else of {@code env}'s configuration, else turns reuse on. */
    static void configure(StreamExecutionEnvironment env, Configuration settings) {
        boolean reuse = settings.getOptional(PipelineOptions.OBJECT_REUSE)
                .or(() -> env.getConfiguration().getOptional(PipelineOptions.OBJECT_REUSE))
                .orElse(true);
        if (reuse) {
            env.getConfig().enableObjectReuse();
        } else {
            env.getConfig().disableObjectReuse();
        }
    }
}
