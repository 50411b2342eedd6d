package io.streamdetect.jobs.sql;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.configuration.ExecutionOptions;
import java.util.Locale;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.ResultKind;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

/**
 * Runs a script's statements one after another on a table environment: DDL and {@code SET} at once, each job
 * ({@code INSERT}, statement set, {@code SELECT}) submitted in turn and, unless detached, waited for (a query's
 * rows printed) before the next statement, as Flink's SQL client does with {@code table.dml-sync}.
 */
public final class SqlRunner {
    private static final Pattern SET = Pattern.compile("(?is)SET\\s+'([^']+)'\\s*=\\s*'((?:[^']|'')*)'\\s*");

    private final StreamTableEnvironment tables;
    private final PrintWriter out;
    private final boolean detached;

    public SqlRunner(StreamTableEnvironment tables, PrintWriter out, boolean detached) {
        this.tables = tables;
        this.out = out;
        this.detached = detached;
    }

    /**
     * Runs every statement; a failing one stops the script with its number and first line.
     *
     * @return the jobs submitted, in order (running still when detached)
     */
    public List<JobClient> run(List<String> statements) {
        List<JobClient> jobs = new ArrayList<>();
        for (int i = 0; i < statements.size(); i++) {
            String statement = statements.get(i);
            try {
                run(statement).ifPresent(jobs::add);
            } catch (Exception e) {
                throw new SqlStatementException("statement " + (i + 1) + " (" + firstLine(statement) + ") failed: "
                        + rootMessage(e), e);
            }
        }
        return jobs;
    }

    private Optional<JobClient> run(String statement) throws Exception {
        String upper = statement.stripLeading().toUpperCase(Locale.ROOT);
        if (upper.startsWith("SET ") || upper.equals("SET")) {
            setOption(statement);
            return Optional.empty();
        }
        TableResult result = tables.executeSql(statement);
        if (result.getJobClient().isEmpty()) {
            return Optional.empty(); // DDL and the like
        }
        JobClient client = result.getJobClient().get();
        String job = client.getJobID().toString();
        out.println("submitted job " + job + ": " + firstLine(statement));
        out.flush();
        if (detached) {
            return Optional.of(client);
        }
        if (result.getResultKind() == ResultKind.SUCCESS_WITH_CONTENT && upper.startsWith("SELECT")) {
            result.print();
        } else {
            result.await();
        }
        out.println("job " + job + " finished");
        out.flush();
        return Optional.of(client);
    }

    /** {@code SET 'key' = 'value'}: into the table configuration, as the SQL client does. */
    private void setOption(String statement) {
        Map.Entry<String, String> option = setting(statement).orElseThrow(() ->
                new IllegalArgumentException("expected SET 'key' = 'value'"));
        tables.getConfig().set(option.getKey(), option.getValue());
    }

    /** The key and value of a {@code SET 'key' = 'value'} statement. */
    static Optional<Map.Entry<String, String>> setting(String statement) {
        Matcher m = SET.matcher(statement.strip());
        return m.matches() ? Optional.of(Map.entry(m.group(1), m.group(2).replace("''", "'"))) : Optional.empty();
    }

    /**
     * A table environment for {@code statements} on {@code env}: in BATCH mode when the script says {@code SET
     * 'execution.runtime-mode' = 'batch'}, which Flink takes only when the environment is made, else STREAMING.
     */
    public static StreamTableEnvironment environmentFor(List<String> statements, StreamExecutionEnvironment env) {
        boolean batch = statements.stream().map(SqlRunner::setting).flatMap(Optional::stream)
                .filter(o -> o.getKey().equals(ExecutionOptions.RUNTIME_MODE.key()))
                .reduce((a, b) -> b)
                .map(o -> o.getValue().equalsIgnoreCase(RuntimeExecutionMode.BATCH.name()))
                .orElse(false);
        env.setRuntimeMode(batch ? RuntimeExecutionMode.BATCH : RuntimeExecutionMode.STREAMING);
        EnvironmentSettings.Builder settings = EnvironmentSettings.newInstance();
        return StreamTableEnvironment.create(env, (batch ? settings.inBatchMode() : settings.inStreamingMode()).build());
    }

    private static String firstLine(String statement) {
        String line = statement.strip().lines().findFirst().orElse("");
        return line.length() > 80 ? line.substring(0, 77) + "..." : line;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (caused by: " + t + ")";
    }

    /** A statement of the script failed; the message says which and why. */
    public static final class SqlStatementException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SqlStatementException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
