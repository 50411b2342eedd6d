package io.streamdetect.cluster;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Drives {@code bin/cluster} (scripts/cluster/cluster.sh) the way a user does, on free loopback ports and in its
 * own directory, so that it runs beside other clusters on the same machine. Every command's output goes to
 * {@code commands.log} in that directory.
 */
final class ClusterControl implements AutoCloseable {
    private static final Pattern JOB_ID = Pattern.compile("JobID ([0-9a-f]{32})");
    private static final Pattern SAVEPOINT = Pattern.compile("Savepoint completed\\. Path: (\\S+)");
    private static final Pattern STARTED_TM = Pattern.compile("^(taskmanager-\\d+)$", Pattern.MULTILINE);

    private final Path root;
    private final Path dir;
    private final Map<String, String> env;
    final int kafkaPort;
    final int restPort;

    ClusterControl(Path root, Path dir, int taskManagers, int slotsPerTaskManager) throws IOException {
        this.root = root;
        this.dir = dir;
        int[] ports = freePorts(4);
        this.kafkaPort = ports[0];
        this.restPort = ports[2];
        this.env = Map.of(
                "STREAMDETECT_CLUSTER_DIR", dir.toString(),
                "KAFKA_PORT", String.valueOf(ports[0]),
                "KAFKA_CONTROLLER_PORT", String.valueOf(ports[1]),
                "REST_PORT", String.valueOf(ports[2]),
                "JM_RPC_PORT", String.valueOf(ports[3]),
                "TASKMANAGERS", String.valueOf(taskManagers),
                "TASK_SLOTS", String.valueOf(slotsPerTaskManager));
        Files.createDirectories(dir);
    }

    String bootstrapServers() {
        return "127.0.0.1:" + kafkaPort;
    }

    Path dir() {
        return dir;
    }

    void up() throws Exception {
        run(Limit.LONG, "up");
    }

    /** Submits the job jar (flink run --detached) and returns the job's id. */
    String submit(List<String> jobArgs) throws Exception {
        return submit(null, jobArgs);
    }

    String submit(String savepoint, List<String> jobArgs) throws Exception {
        List<String> args = new ArrayList<>(List.of("submit"));
        if (savepoint != null) {
            args.addAll(List.of("--from-savepoint", savepoint));
        }
        args.addAll(jobArgs);
        String out = run(Limit.LONG, args.toArray(String[]::new));
        Matcher m = JOB_ID.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no job id in the output of flink run:\n" + out);
        }
        return m.group(1);
    }

    /** flink stop --savepointPath: the job takes a savepoint and stops; returns the savepoint's path. */
    String stopWithSavepoint(String jobId) throws Exception {
        String out = run(Limit.LONG, "flink", "stop", "--savepointPath",
                dir.resolve("flink/savepoints").toUri().toString(), jobId);
        Matcher m = SAVEPOINT.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no savepoint path in the output of flink stop:\n" + out);
        }
        return m.group(1);
    }

    /** The job's state from the JobManager's REST API (RUNNING, FINISHED, FAILED...). */
    String jobState(String jobId) throws Exception {
        var client = java.net.http.HttpClient.newHttpClient();
        var request = java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + restPort + "/jobs/" + jobId)).build();
        String body = client.send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("\"state\"\\s*:\\s*\"([A-Z_]+)\"").matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("no state for job " + jobId + ": " + body);
        }
        return m.group(1);
    }

    void killTaskManager(String name) throws Exception {
        run(Limit.SHORT, "tm", "kill", name.substring(name.lastIndexOf('-') + 1));
    }

    String startTaskManager() throws Exception {
        Matcher m = STARTED_TM.matcher(run(Limit.LONG, "tm", "start"));
        if (!m.find()) {
            throw new IllegalStateException("tm start did not name the TaskManager");
        }
        return m.group(1);
    }

    void stopKafka() throws Exception {
        run(Limit.LONG, "kafka", "stop");
    }

    void startKafka() throws Exception {
        run(Limit.LONG, "kafka", "start");
    }

    String status() throws Exception {
        return run(Limit.SHORT, false, "status");
    }

    /**
     * Stops the cluster, then fails if any of its JVMs crashed on the way (an hs_err report in its log folder): a
     * TaskManager that dies in native code after the job's checks passed would otherwise go unnoticed.
     */
    @Override
    public void close() throws Exception {
        run(Limit.LONG, false, "down");
        List<Path> crashes;
        try (var files = Files.list(dir.resolve("log"))) {
            crashes = files.filter(f -> f.getFileName().toString().startsWith("hs_err_")).sorted().toList();
        } catch (java.nio.file.NoSuchFileException e) {
            return; // the cluster never started
        }
        if (!crashes.isEmpty()) {
            StringBuilder why = new StringBuilder("JVMs of the cluster crashed:");
            for (Path crash : crashes) {
                why.append("\n").append(crash).append(":\n");
                try (var lines = Files.lines(crash)) {
                    lines.limit(40).filter(l -> !l.isBlank() && !l.equals("#")).forEach(l -> why.append("  ").append(l)
                            .append('\n'));
                }
            }
            throw new AssertionError(why.toString());
        }
    }

    private String run(Limit limit, String... args) throws Exception {
        return run(limit, true, args);
    }

    private String run(Limit limit, boolean check, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(root.resolve("bin/cluster").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] bytes = p.getInputStream().readAllBytes();
        boolean ended = p.waitFor(limit.seconds, TimeUnit.SECONDS);
        String out = new String(bytes, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("commands.log"), Instant.now() + " $ bin/cluster " + String.join(" ", args)
                + "\n" + out + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        if (!ended) {
            p.destroyForcibly();
            throw new IllegalStateException("bin/cluster " + String.join(" ", args) + " did not end in " + limit.seconds + " s");
        }
        if (check && p.exitValue() != 0) {
            throw new IllegalStateException("bin/cluster " + String.join(" ", args) + " failed (" + p.exitValue() + "):\n" + out);
        }
        return out;
    }

    /** How long a bin/cluster command may take: starts and savepoints are slow on a loaded 2-core machine. */
    private enum Limit {
        SHORT(60), LONG(300);
        final int seconds;

        Limit(int seconds) {
            this.seconds = seconds;
        }
    }

    /**
     * {@code n} ports free now, below Linux's ephemeral range (32768-60999). A port the kernel hands out for
     * {@code bind(0)} comes from that range, where outgoing connections (Kafka clients creating the topics, before the
     * JobManager starts) take their local ports too: one CI run lost its REST port to one that way ("Could not start
     * rest endpoint on any port in port range 41293").
     */
    private static int[] freePorts(int n) throws IOException {
        int[] ports = new int[n];
        List<ServerSocket> open = new ArrayList<>();
        java.util.Random random = new java.util.Random();
        try {
            for (int i = 0; i < n; i++) {
                for (int attempt = 0; ports[i] == 0; attempt++) {
                    int candidate = 20000 + random.nextInt(12000);
                    try {
                        ServerSocket s = new ServerSocket(candidate, 1, java.net.InetAddress.getLoopbackAddress());
                        open.add(s);
                        ports[i] = candidate;
                    } catch (IOException taken) {
                        if (attempt > 100) {
                            throw taken;
                        }
                    }
                }
            }
        } finally {
            for (ServerSocket s : open) {
                s.close();
            }
        }
        return ports;
    }
}
