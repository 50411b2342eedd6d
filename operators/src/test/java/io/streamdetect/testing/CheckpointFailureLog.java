package io.streamdetect.testing;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.JobID;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Every failed checkpoint of the jobs run while it is open, with its reason, from the log lines of Flink's
 * {@code CheckpointFailureManager} (in this JVM: a benchmark's or a test's MiniCluster).
 *
 * <p>Why the log: the checkpoint statistics keep a reason only for checkpoints that got as far as a pending
 * checkpoint ({@code FailedCheckpointStats} in the history). A trigger that fails before that, e.g. with
 * NOT_ALL_REQUIRED_TASKS_RUNNING while a task is still INITIALIZING, is only counted
 * ({@code reportFailedCheckpointsWithoutInProgress}), and Flink 2.2 has no API that gives its reason. Every
 * failure, counted or in the history, passes through {@code CheckpointFailureManager.handleCheckpointException},
 * which logs it with its job id and exception (INFO for a trigger refused because not all tasks run, WARN for the
 * rest); that is what is collected here.
 */
public final class CheckpointFailureLog implements AutoCloseable {
    public static final String LOGGER = "org.apache.flink.runtime.checkpoint.CheckpointFailureManager";

    /** One failed checkpoint: its id ("not triggered" when it never got one) and why. */
    public record Failure(String jobId, String checkpoint, String reason) {}

    private final List<Failure> failures = new ArrayList<>();
    private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
    private final Capture appender = new Capture();
    private final LoggerConfig previous;

    public CheckpointFailureLog() {
        var config = context.getConfiguration();
        previous = config.getLoggers().get(LOGGER);
        appender.start();
        // its own logger config at INFO, not additive: the benchmark's console keeps Flink at ERROR
        LoggerConfig capture = LoggerConfig.newBuilder().withLoggerName(LOGGER).withLevel(Level.INFO)
                .withAdditivity(false).withConfig(config).build();
        capture.addAppender(appender, Level.INFO, null);
        config.removeLogger(LOGGER);
        config.addLogger(LOGGER, capture);
        context.updateLoggers();
    }

    /** The failures of {@code job} logged so far, in order. */
    public synchronized List<Failure> of(JobID job) {
        String id = job.toString();
        return failures.stream().filter(f -> f.jobId().equals(id)).toList();
    }

    /** Reads one CheckpointFailureManager line: the job is its JobID argument, the id a Long or UNKNOWN_CHECKPOINT_ID. */
    public static Failure parse(Object[] parameters, Throwable thrown) {
        String job = "?";
        String checkpoint = "not triggered";
        String reason = null;
        for (Object p : parameters == null ? new Object[0] : parameters) {
            if (p instanceof JobID id) {
                job = id.toString();
            } else if (p instanceof Long id && id >= 0) {
                checkpoint = "checkpoint " + id;
            } else if (p instanceof String s && !s.equals("UNKNOWN_CHECKPOINT_ID")) {
                reason = s;
            } else if (p instanceof Throwable t && thrown == null) {
                thrown = t;
            }
        }
        if (thrown != null) {
            reason = thrown.getMessage() == null ? thrown.toString() : thrown.getMessage();
            Throwable cause = thrown.getCause();
            if (cause != null && cause.getMessage() != null && !reason.contains(cause.getMessage())) {
                reason += ": " + cause.getMessage();
            }
        }
        return new Failure(job, checkpoint, reason == null ? "(no reason logged)" : reason);
    }

    @Override
    public void close() {
        var config = context.getConfiguration();
        config.removeLogger(LOGGER);
        if (previous != null) {
            config.addLogger(LOGGER, previous);
        }
        context.updateLoggers();
        appender.stop();
    }

    private final class Capture extends AbstractAppender {
        Capture() {
            super("checkpoint-failures", null, null, true, Property.EMPTY_ARRAY);
        }

        @Override
        public void append(LogEvent event) {
            // read now: log4j may reuse the message and its parameters once this returns
            Failure f = parse(event.getMessage().getParameters(), event.getThrown());
            synchronized (CheckpointFailureLog.this) {
                failures.add(f);
            }
        }
    }
}
