package io.streamdetect.cli;

import io.streamdetect.jobs.sql.SqlRunner;
import io.streamdetect.jobs.sql.SqlScript;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code streamdetect sql -f pipeline.sql}: runs a Flink SQL script, with the {@code streamdetect} model provider
 * and {@code streamdetect-avro} format on the class path, on a local Flink environment from the command line, on
 * the cluster under {@code flink run streamdetect-job.jar sql -f ...}.
 */
@Command(name = "sql", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a Flink SQL script: CREATE TABLE/MODEL, ML_PREDICT, INSERT INTO ... (see examples/sql).",
                "Statements end with ';'. Each job (INSERT, statement set, SELECT) runs to its end before the next"
                        + " statement, unless --detached."},
        footer = {"%nIn the script, ${name} is replaced by --var name=value. SET 'key' = 'value' sets Flink options,"
                + " e.g. SET 'execution.checkpointing.interval' = '5 s'."})
public final class SqlCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "The SQL script.")
    Path file;

    @Option(names = "--var", paramLabel = "NAME=VALUE", description = "Replace ${NAME} in the script (repeatable).")
    Map<String, String> vars = new TreeMap<>();

    @Option(names = "--detached", description = "Submit the jobs and return without waiting for them.")
    boolean detached;

    @Override
    public Integer call() throws Exception {
        String script;
        try {
            script = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no SQL script at " + file + " (-f FILE)");
        }
        List<String> statements = SqlScript.statements(script, vars);
        StreamTableEnvironment tables = SqlRunner.environmentFor(statements, StreamExecutionEnvironment.getExecutionEnvironment());
        new SqlRunner(tables, spec.commandLine().getOut(), detached).run(statements);
        return 0;
    }
}
