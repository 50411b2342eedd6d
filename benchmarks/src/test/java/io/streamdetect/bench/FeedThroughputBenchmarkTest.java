package io.streamdetect.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The feed benchmark at its smallest: the real job, broker and model, so that the harness is known to run. It fails
 * on its own when not every image reached its counting filter; the figures are not asserted.
 */
class FeedThroughputBenchmarkTest {
    @Test
    void reportsBothSettingsWithTheTaskThreadsCpuPerImage() {
        String report = run("--records", "200", "--rounds", "1");
        // images/s, MB/s, ratio (1.00 for the baseline), task thread µs and its ceiling, fetcher µs, JVM µs
        assertThat(report).containsPattern("\\| 1 \\| object reuse off \\(Flink's default\\) \\| [\\d.]+ \\| [\\d.]+ \\| 1\\.00 (\\| [\\d.]+ ){4}\\|")
                .containsPattern("\\| 1 \\| object reuse on (\\| [\\d.]+ ){7}\\|");
    }

    @Test
    void comparesTheJobsSettingsAgainstOthers() {
        String report = run("--records", "200", "--rounds", "1", "--against", "kafka.max.partition.fetch.bytes=1048576");
        assertThat(report).containsPattern("\\| 1 \\| with \\{kafka.max.partition.fetch.bytes=1048576\\} \\| [\\d.]+ \\| [\\d.]+ \\| 1\\.00 ")
                .containsPattern("\\| 1 \\| the job's defaults (\\| [\\d.]+ ){7}\\|");
    }

    /** The benchmark's report; fails unless it exited cleanly. */
    private static String run(String... args) {
        FeedThroughputBenchmark bench = new FeedThroughputBenchmark();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        bench.out = new PrintStream(captured, true, StandardCharsets.UTF_8);
        int exit = new CommandLine(bench).execute(args);
        String report = captured.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(report).isZero();
        return report;
    }
}
