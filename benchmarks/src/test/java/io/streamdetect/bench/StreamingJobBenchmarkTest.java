package io.streamdetect.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The job benchmark end to end at its smallest, on ONNX Runtime: the real model, broker and job, so the harness the
 * GPU figures come from is known to run. Checks that every record came back once and the tables are complete; the
 * figures themselves are not asserted (speed claims live in docs/benchmarks.md).
 */
class StreamingJobBenchmarkTest {
    @Test
    void reportsThroughputExactlyOnceCountsCheckpointsLatencyAndFailovers(@TempDir Path work) {
        StreamingJobBenchmark bench = new StreamingJobBenchmark();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        bench.out = new PrintStream(captured, true, StandardCharsets.UTF_8);
        int exit = new CommandLine(bench).execute("--backend", "onnxruntime", "--records", "16", "--max-batch", "4", "--slots", "auto",
                "--seconds", "0.5", "--load", "0.9", "--latency-seconds", "1", "-D", "onnxruntime.threads=1",
                "--restarts", "2", "--work-dir", work.toString());
        String report = captured.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(report).isZero();
        assertThat(report).contains("except {onnxruntime.threads=1}")
                // auto: what a local stream run without -p picks, said as it says it
                .contains("slots auto: 1 task slot (onnxruntime uses every core for one slot; -p to change)")
                .containsPattern("\\| 1 \\| [\\d.]+ \\| [\\d.]+ \\| [\\d.]+ \\| [\\d.]+ \\| 16 of 16 \\| 0 \\| \\d+ \\(\\d+ at end of input\\) "
                        + "\\| [1-9]\\d* \\| n/a \\(no CUDA\\) \\| [\\d.]+ \\| [\\d.]+ \\|")
                // the busiest threads of the steady window, e.g. the detection operator's task thread
                .contains("| slots | thread | CPU ms | busy | CPU us per image |")
                .containsPattern("\\| 1 \\| [^|]+ \\| [\\d.]+ \\| \\d+% \\| [\\d.]+ \\|")
                // the timeline: middle, first and last rates, the rate per interval, the checkpoints taken
                .contains("| slots | middle 80% img/s | first 10% img/s | last 10% img/s | img/s per 250 ms | checkpoints |")
                .containsPattern("\\| 1 \\| [\\d.]+ \\| [\\d.]+ \\| [\\d.]+ \\| \\d+( \\d+)* \\| "
                        + "\\d+ at [+-][\\d.]+ s: \\d+ ms, sync \\d+ ms, [\\d.]+ MB")
                .containsPattern("\\| 1 \\| 90% \\| [\\d.]+ \\| [\\d.]+ \\| \\d+ \\| \\d+ \\| \\d+ \\| \\d+ \\|")
                // --restarts: both failovers happened, memory is n/a on the CPU, every record came back once
                .contains("| 1 | 2 of 2 | n/a (no CUDA) | n/a (no CUDA) | n/a | n/a (no CUDA) | n/a (no CUDA) | n/a | 16 of 16 | 0 |");
    }

    @Test
    void aSlotCountThatIsNeitherANumberNorAutoIsRefusedWithTheForm(@TempDir Path work) {
        java.io.StringWriter err = new java.io.StringWriter();
        int exit = new CommandLine(new StreamingJobBenchmark()).setErr(new java.io.PrintWriter(err, true))
                .execute("--backend", "onnxruntime", "--slots", "AUTO,two", "--work-dir", work.toString());
        assertThat(exit).isNotZero();
        assertThat(err.toString()).contains("--slots takes slot counts (1 to 999) or auto, e.g. --slots auto,1; got two");
    }
}
