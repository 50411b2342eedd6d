package io.streamdetect.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.cluster.ChaosRun.Fault;
import io.streamdetect.testing.SharedFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Exactly-once where Flink users run the job: on a cluster of separate processes started by {@code bin/cluster}
 * (a Kafka broker, a JobManager, TaskManagers), with the job jar submitted through Flink's CLI, while a
 * TaskManager is killed with {@code kill -9} and replaced, the broker restarts, and the job is stopped with a
 * savepoint and resumed from it. Afterwards every input must have exactly one committed output.
 *
 * <p>CI runs the short version (the defaults: one TaskManager kill, one broker restart, 300+ images).
 * {@code bin/chaos} runs the full one (three kills, a broker restart and a savepoint, 2,000+ images), with
 * {@code -Dchaos.images=2000 -Dchaos.faults=SAVEPOINT,TM_KILL,BROKER_RESTART,TM_KILL,TM_KILL}. Each run appends
 * its table to {@code jobs/target/chaos/report.md}.
 */
class ClusterFaultInjectionJarIT {

    @Test
    void everyInputHasExactlyOneOutputThroughFaults() throws Exception {
        // bin/chaos asks for several runs in a row: each on a fresh cluster, stopping at the first that fails
        int runs = Integer.getInteger("chaos.runs", 1);
        for (int run = 1; run <= runs; run++) {
            System.out.printf("fault-injection run %d of %d%n", run, runs);
            runOnce();
        }
    }

    private static void runOnce() throws Exception {
        Path root = Path.of(System.getProperty("user.dir")).getParent();   // the module's folder is jobs/
        List<Fault> faults = Arrays.stream(System.getProperty("chaos.faults", "TM_KILL,BROKER_RESTART").split(","))
                .map(String::trim).map(Fault::valueOf).toList();
        ChaosRun.Settings settings = new ChaosRun.Settings(root,
                root.resolve("jobs/target/chaos/cluster-" + System.currentTimeMillis()),
                SharedFiles.model(), SharedFiles.coco8().resolve("images"),
                Integer.getInteger("chaos.images", 300),
                Double.parseDouble(System.getProperty("chaos.rate", "4")),
                faults,
                Duration.ofSeconds(Integer.getInteger("chaos.steady-seconds", 15)));

        ChaosRun.Result result = new ChaosRun(settings).run();

        String report = ChaosRun.report(result, settings);
        System.out.println(report);
        Path reportFile = root.resolve("jobs/target/chaos/report.md");
        Files.writeString(reportFile, "\n## " + Instant.now() + "\n\n" + report + "\n",
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        assertThat(result.faults()).as(report).hasSize(faults.size());
        assertThat(result.inputs()).isGreaterThanOrEqualTo(settings.minImages());
        assertThat(result.lost()).as("inputs without an output\n" + report).isZero();
        assertThat(result.duplicated()).as("inputs with more than one output\n" + report).isZero();
        assertThat(result.unknown()).as("outputs of no input\n" + report).isZero();
        assertThat(result.sendFailures()).as("inputs the producer could not write\n" + report).isZero();
        assertThat(result.inputsNotOnceInTopic()).as(report).isZero();
        // the bad records became dead letters with their reasons, not detections
        assertThat(result.deadLettersByKind()).as(report)
                .containsKeys("MALFORMED_RECORD", "TRUNCATED_IMAGE", "IMAGE_TOO_LARGE");
    }
}
