package io.streamdetect.jobs;

import io.streamdetect.cli.StreamDetect;

/**
 * Main class of the job jar, for {@code flink run jobs/target/streamdetect-job.jar stream|reprocess ...} (session
 * or application mode). The same commands as {@code bin/streamdetect}, but it never calls
 * {@code System.exit}: in application mode main runs inside the JobManager, which must not be shut down by it.
 * A failed command throws instead, so Flink reports the application as failed.
 */
public final class FlinkMain {
    private FlinkMain() {}

    public static void main(String[] args) {
        int exit = StreamDetect.commandLine().execute(args);
        if (exit != 0) {
            throw new IllegalStateException("streamdetect " + (args.length > 0 ? args[0] : "") + " failed with exit code "
                    + exit + " (the reason is printed above)");
        }
    }
}
