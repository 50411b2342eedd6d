package io.streamdetect.bench;

import io.streamdetect.jobs.demo.EmbeddedKafka;
import io.streamdetect.jobs.kafka.ImageProducer;
import io.streamdetect.jobs.kafka.RecordConsumer;
import io.streamdetect.records.DetectionRecord;
import io.streamdetect.testing.SharedFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/** The records the end-to-end Kafka benchmarks send, and what they measure from the detection records written. */
final class BenchRecords {
    private BenchRecords() {}

    /** Sends {@code images} ImageRecords, cycling over coco8 val and bus.jpg, to a new 2-partition topic. */
    static void produce(EmbeddedKafka kafka, String topic, int images) throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(SharedFiles.coco8().resolve("images/val"))) {
            files = new ArrayList<>(s.sorted().toList());
        }
        files.add(SharedFiles.busJpg());
        kafka.createTopics(2, topic);
        try (ImageProducer producer = new ImageProducer(kafka.bootstrapServers(), new Properties())) {
            for (int i = 0; i < images; i++) {
                producer.send(topic, ImageProducer.fromFile(files.get(i % files.size()), "bench"));
            }
            producer.flush();
        }
    }

    /**
     * @param records    detection records read
     * @param steady     records / (last − first processingTime): the rate without job start-up
     * @param meanBatch  mean of the records' timings.batchSize (0 where the writer does not fill it)
     */
    record Detections(int records, double steady, double meanBatch) {}

    /** Reads the committed detection records of {@code topic} until {@code expected} came (or a minute passed). */
    static Detections read(EmbeddedKafka kafka, String topic, int expected) {
        AtomicInteger count = new AtomicInteger();
        AtomicLong first = new AtomicLong(Long.MAX_VALUE);
        AtomicLong last = new AtomicLong();
        AtomicLong batchSum = new AtomicLong();
        try (var consumer = new RecordConsumer<>(kafka.bootstrapServers(), topic, DetectionRecord.class, new Properties(), true)) {
            consumer.consume(r -> {
                long t = r.value().getProcessingTime().toEpochMilli();
                first.accumulateAndGet(t, Math::min);
                last.accumulateAndGet(t, Math::max);
                batchSum.addAndGet(r.value().getTimings().getBatchSize());
                count.incrementAndGet();
            }, () -> count.get() >= expected, Duration.ofSeconds(60));
        }
        double steady = count.get() / Math.max(1e-3, (last.get() - first.get()) / 1000.0);
        return new Detections(count.get(), steady, (double) batchSum.get() / Math.max(1, count.get()));
    }
}
