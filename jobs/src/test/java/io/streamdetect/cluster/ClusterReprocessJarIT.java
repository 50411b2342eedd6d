package io.streamdetect.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.jobs.files.AvroFiles;
import io.streamdetect.records.DeadLetter;
import io.streamdetect.records.DetectionRecord;
import io.streamdetect.testing.SharedFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code reprocess} (Flink BATCH over an image folder) on a real cluster from {@code bin/cluster}, submitted with
 * Flink's CLI, while a TaskManager running it is killed with {@code kill -9} and a new one is started: the job
 * finishes, and its Avro output holds exactly one record per image (no image lost, none written twice).
 */
class ClusterReprocessJarIT {

    @Test
    void aBatchJobSurvivesATaskManagerKillWithExactCounts() throws Exception {
        Path root = Path.of(System.getProperty("user.dir")).getParent();
        Path dir = root.resolve("jobs/target/chaos/reprocess-" + System.currentTimeMillis());
        Path images = SharedFiles.root().resolve("data/coco128/images");
        Set<String> expected = new HashSet<>();
        try (Stream<Path> s = Files.walk(images)) {
            s.filter(p -> p.toString().endsWith(".jpg")).forEach(p -> expected.add(images.relativize(p).toString()));
        }
        Path out = dir.resolve("out");
        try (ClusterControl cluster = new ClusterControl(root, dir, 2, 1)) {
            cluster.up();
            String jobId = cluster.submit(List.of("reprocess", "-m", SharedFiles.model().toString(),
                    "--backend", "onnxruntime", "-p", "2", "--threads", "1", "--max-batch", "2",
                    "--images", images.toString(), "--output-dir", out.toString()));
            waitFor(() -> cluster.jobState(jobId).equals("RUNNING") && Files.exists(out), 300, "the job running");
            // kill as soon as outputs come: on a quiet 2-core machine coco128 takes only ~10 s at this batch size
            Thread.sleep(1_000);
            assertThat(cluster.jobState(jobId)).isEqualTo("RUNNING");
            cluster.killTaskManager("taskmanager-1");
            cluster.startTaskManager();
            waitFor(() -> List.of("FINISHED", "FAILED", "CANCELED").contains(cluster.jobState(jobId)), 600, "the job's end");
            assertThat(cluster.jobState(jobId)).isEqualTo("FINISHED");
            // a task of the job ran on the killed TaskManager and failed with it (then ran again elsewhere)
            assertThat(Files.readString(dir.resolve("log/jobmanager.log")))
                    .as("the kill hit the running job").containsPattern("switched from RUNNING to FAILED on taskmanager-1");
        }
        List<String> ids = new ArrayList<>();
        AvroFiles.readAll(out.resolve("detections"), DetectionRecord.class).forEach(r -> ids.add(r.getRecordId()));
        if (Files.exists(out.resolve("dead-letters"))) {
            AvroFiles.readAll(out.resolve("dead-letters"), DeadLetter.class).forEach(r -> ids.add(r.getRecordId()));
        }
        assertThat(ids).as("one output per image").hasSize(expected.size()).doesNotHaveDuplicates();
        assertThat(new HashSet<>(ids)).isEqualTo(expected);
    }

    private interface Condition {
        boolean met() throws Exception;
    }

    private static void waitFor(Condition c, int seconds, String what) throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (!c.met()) {
            assertThat(System.currentTimeMillis()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(500);
        }
    }
}
