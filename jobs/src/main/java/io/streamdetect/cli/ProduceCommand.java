package io.streamdetect.cli;

import io.streamdetect.jobs.kafka.ImageProducer;
import io.streamdetect.records.ImageRecord;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code streamdetect produce}: image files to ImageRecords on a topic. */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = "Send image files to a Kafka topic as ImageRecords (key = record id).")
public final class ProduceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    KafkaClientOptions kafka;

    @Option(names = {"-t", "--topic"}, defaultValue = "images", description = "Topic (default: ${DEFAULT-VALUE}).")
    String topic;

    @Option(names = "--source-id", defaultValue = "files", description = "sourceId of the records (default: ${DEFAULT-VALUE}).")
    String sourceId;

    @Option(names = "--repeat", defaultValue = "1", description = "Send each image this many times (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Parameters(arity = "1..*", paramLabel = "IMAGES_OR_DIRS", description = "Image files or directories.")
    List<Path> inputs;

    @Override
    public Integer call() throws Exception {
        List<Path> files = ImageInputs.expand(inputs);
        PrintWriter err = spec.commandLine().getErr();
        int total = files.size() * repeat;
        Progress progress = new Progress(err, "produced", total);
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (ImageProducer producer = new ImageProducer(kafka.bootstrap(), kafka.clientProperties())) {
            for (int r = 0; r < repeat; r++) {
                for (Path file : files) {
                    ImageRecord record = ImageProducer.fromFile(file, sourceId);
                    sent.add(producer.send(topic, record));
                    progress.step(record.getImage().remaining());
                }
            }
            producer.flush();
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
        }
        progress.done();
        spec.commandLine().getOut().printf("%d ImageRecord(s) sent to %s%n", total, topic);
        return 0;
    }

    /** A one-line progress bar on stderr. */
    static final class Progress {
        private final PrintWriter out;
        private final String verb;
        private final int total;
        private int count;
        private long bytes;

        Progress(PrintWriter out, String verb, int total) {
            this.out = out;
            this.verb = verb;
            this.total = total;
        }

        void step(long size) {
            count++;
            bytes += size;
            int width = 30;
            int filled = total == 0 ? width : (int) ((long) count * width / total);
            out.printf("\r%s %d/%d [%s%s] %.1f MB", verb, count, total, "#".repeat(filled), ".".repeat(width - filled),
                    bytes / 1e6);
            out.flush();
        }

        void done() {
            out.println();
            out.flush();
        }
    }
}
