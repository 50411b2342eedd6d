package io.streamdetect.cli;

import io.streamdetect.engine.EngineException;
import io.streamdetect.model.ModelException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code streamdetect} command line: one subcommand per user task. */
@Command(name = "streamdetect", mixinStandardHelpOptions = true, version = "streamdetect 0.1.0",
        description = "Real-time YOLO object detection in Apache Flink, on TensorRT or ONNX Runtime.",
        subcommands = {DemoCommand.class, PredictCommand.class, EvalCommand.class, ExportCommand.class, BenchCommand.class,
                ProduceCommand.class, ConsumeCommand.class,
                StreamCommand.class, ReprocessCommand.class, SqlCommand.class, CommandLine.HelpCommand.class})
public final class StreamDetect {
    /** Exit code when the command ran but some inputs failed (they are reported). */
    public static final int EXIT_SOME_FAILED = 1;
    /** Exit code for a wrong command line or option value (picocli's convention). */
    public static final int EXIT_USAGE = 2;
    /** Exit code for a model or engine that cannot be used. */
    public static final int EXIT_MODEL = 3;
    /** Exit code for any other failure. */
    public static final int EXIT_FAILURE = 4;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line; tests call {@code execute} on it to run commands in-process. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new StreamDetect());
        cli.setExecutionExceptionHandler(StreamDetect::reportFailure);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        return cli;
    }

    /** Errors become one readable line with what to do, never a stack trace (unless STREAMDETECT_DEBUG is set). */
    private static int reportFailure(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        var err = cli.getErr();
        if (System.getenv("STREAMDETECT_DEBUG") != null) {
            e.printStackTrace(err);
        }
        if (e instanceof ModelException || e instanceof EngineException) {
            err.println(cli.getColorScheme().errorText("error: " + e.getMessage()));
            return EXIT_MODEL;
        }
        if (e instanceof IllegalArgumentException || e instanceof CommandLine.ParameterException) {
            err.println(cli.getColorScheme().errorText("error: " + e.getMessage()));
            err.println("Run 'streamdetect " + cli.getCommandName() + " --help' for the options.");
            return EXIT_USAGE;
        }
        err.println(cli.getColorScheme().errorText("error: " + e));
        err.println("Set STREAMDETECT_DEBUG=1 to see the stack trace.");
        return EXIT_FAILURE;
    }
}
