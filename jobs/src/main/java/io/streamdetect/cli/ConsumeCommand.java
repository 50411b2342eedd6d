package io.streamdetect.cli;

import io.streamdetect.jobs.files.AvroFiles;
import io.streamdetect.jobs.kafka.RecordConsumer;
import io.streamdetect.records.DeadLetter;
import io.streamdetect.records.DetectionRecord;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.WakeupException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code streamdetect consume}: prints committed detection records (or dead letters) as they arrive. */
@Command(name = "consume", mixinStandardHelpOptions = true,
        description = {"Print DetectionRecords (or DeadLetters) from a topic, read_committed, until Ctrl-C, --max or --timeout;",
                "or from the Avro files `reprocess --output-dir` wrote (--files)."})
public final class ConsumeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    KafkaClientOptions kafka;

    @Option(names = {"-t", "--topic"}, defaultValue = "detections", description = "Topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--dead-letters", description = "The topic holds DeadLetters, not DetectionRecords.")
    boolean deadLetters;

    @Option(names = "--files", paramLabel = "PATH",
            description = "Read Avro container files (a folder of *.avro, or one file) instead of Kafka; "
                    + "DetectionRecords or DeadLetters, whichever the files hold.")
    java.nio.file.Path files;

    @Option(names = "--json", description = "One JSON object per record.")
    boolean json;

    @Option(names = "--max", defaultValue = "0", description = "Stop after this many records; 0 = no limit.")
    int max;

    @Option(names = "--timeout", defaultValue = "0", paramLabel = "SECONDS",
            description = "Stop after this many seconds; 0 = run until Ctrl-C.")
    long timeoutSeconds;

    @Override
    public Integer call() {
        RecordPrinter printer = new RecordPrinter(spec.commandLine().getOut(), json);
        if (files != null) {
            long count = AvroFiles.read(files, max, record -> {
                if (record instanceof DetectionRecord r) {
                    printer.print(r);
                } else {
                    printer.print((DeadLetter) record);
                }
            });
            spec.commandLine().getErr().printf("%d record(s) read from %s%n", count, files);
            return 0;
        }
        int count = deadLetters ? consumeAll(DeadLetter.class, printer::print) : consumeAll(DetectionRecord.class, printer::print);
        spec.commandLine().getErr().printf("%d record(s) read from %s%n", count, topic);
        return 0;
    }

    private <T extends SpecificRecord> int consumeAll(Class<T> type, Consumer<T> print) {
        Duration timeout = timeoutSeconds > 0 ? Duration.ofSeconds(timeoutSeconds) : Duration.ofDays(3650);
        AtomicInteger count = new AtomicInteger();
        try (var consumer = new RecordConsumer<>(kafka.bootstrap(), topic, type, kafka.clientProperties())) {
            run(consumer, () -> consumer.consume(r -> {
                print.accept(r.value());
                count.incrementAndGet();
            }, () -> max > 0 && count.get() >= max, timeout));
        }
        return count.get();
    }

    /** Runs the loop; Ctrl-C wakes the consumer so it closes cleanly and commits nothing half-read. */
    private static void run(RecordConsumer<?> consumer, Runnable loop) {
        Thread main = Thread.currentThread();
        Thread hook = new Thread(() -> {
            consumer.wakeup();
            try {
                main.join(5000);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            loop.run();
        } catch (WakeupException stopped) {
            // Ctrl-C
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running
            }
        }
    }
}
