package io.streamdetect.records;

import io.streamdetect.PipelineException;
import io.streamdetect.Stage;
import io.streamdetect.engine.EngineInfo;
import io.streamdetect.engine.InferenceEngine;
import io.streamdetect.postprocess.DetectedObject;
import io.streamdetect.predict.Prediction;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The last stage: turns an outcome into the records users consume, a {@link DetectionRecord} for an image that
 * was processed, a {@link DeadLetter} for one that was not.
 */
public final class RecordFactory {
    private final String modelName;
    private final String modelHash;
    private final String engine;
    private final String precision;

    public RecordFactory(InferenceEngine engine) {
        EngineInfo info = engine.info();
        this.modelName = engine.model().name();
        this.modelHash = engine.model().sha256();
        this.engine = info.backend().label();
        this.precision = info.precision().label();
    }

    public DetectionRecord detection(ImageRecord image, Prediction p, long queueWaitNanos) {
        List<Detection> detections = new ArrayList<>(p.objects().size());
        for (DetectedObject o : p.objects()) {
            detections.add(o.toRecord());
        }
        return DetectionRecord.newBuilder()
                .setRecordId(image.getRecordId())
                .setSourceId(image.getSourceId())
                .setEventTime(image.getEventTime())
                .setProcessingTime(Instant.now())
                .setImageWidth(p.width())
                .setImageHeight(p.height())
                .setModelName(modelName)
                .setModelHash(modelHash)
                .setEngine(engine)
                .setPrecision(precision)
                .setDetections(detections)
                .setTimings(new Timings(queueWaitNanos / 1000, p.preprocessNanos() / 1000, p.inferenceNanos() / 1000,
                        p.batchSize()))
                .setAttributes(image.getAttributes())
                .build();
    }

    /** A dead letter for an image the pipeline refused; keeps its bytes. On the thread that owns the record. */
    public static DeadLetter failed(ImageRecord image, PipelineException error) {
        return deadLetter(image, image.getImage() == null ? null : image.getImage().duplicate(), error.kind(),
                error.stage(), error.getMessage());
    }

    /**
     * A dead letter for an image the pipeline refused, with {@code bytes}, its bytes as {@link #imageBytes} read them
     * on the thread that owns the record. For dead letters made on other threads (an operator's batcher or timer): the
     * record's own buffer may be read there meanwhile, by a checkpoint copying it, which moves its position.
     */
    public static DeadLetter failed(ImageRecord image, byte[] bytes, PipelineException error) {
        return deadLetter(image, ByteBuffer.wrap(bytes), error.kind(), error.stage(), error.getMessage());
    }

    /**
     * A dead letter for an image that was not processed within the operator's timeout, with its bytes as in {@link
     * #failed(ImageRecord, byte[], PipelineException)}.
     */
    public static DeadLetter timedOut(ImageRecord image, byte[] bytes, Duration timeout) {
        return deadLetter(image, ByteBuffer.wrap(bytes), ErrorKind.TIMEOUT, Stage.ENGINE,
                "not processed within " + timeout.toMillis() + " ms (the operator's timeout)");
    }

    /**
     * A dead letter for a Kafka value that is not a readable ImageRecord; {@code key}, by convention the record
     * id, names it when present.
     */
    public static DeadLetter malformed(String key, byte[] value, String topic, int partition, long offset, String reason) {
        return DeadLetter.newBuilder()
                .setRecordId(key)
                .setPayload(value == null ? null : ByteBuffer.wrap(value))
                .setSource(new KafkaReference(topic, partition, offset))
                .setErrorKind(ErrorKind.MALFORMED_RECORD)
                .setStage(Stage.DESERIALIZE.label())
                .setMessage(reason)
                .setFailedAt(Instant.now())
                .build();
    }

    private static DeadLetter deadLetter(ImageRecord image, ByteBuffer payload, ErrorKind kind, Stage stage,
                                         String message) {
        return DeadLetter.newBuilder()
                .setRecordId(image.getRecordId())
                .setSourceId(image.getSourceId())
                .setPayload(payload)
                .setErrorKind(kind)
                .setStage(stage.label())
                .setMessage(message)
                .setFailedAt(Instant.now())
                .build();
    }

    /**
     * The image bytes of a record: the buffer's own array where the buffer is exactly that array, as Avro decodes and
     * copies records, else a copy. Sharing the array is safe because nothing in the pipeline writes to image bytes,
     * and it spares the task thread, which also feeds the slot, a copy of every image.
     */
    public static byte[] imageBytes(ImageRecord image) {
        ByteBuffer buf = image.getImage();
        if (buf == null) {
            return new byte[0];
        }
        if (buf.hasArray() && buf.arrayOffset() == 0 && buf.position() == 0 && buf.remaining() == buf.array().length) {
            return buf.array();
        }
        byte[] bytes = new byte[buf.remaining()];
        buf.duplicate().get(bytes);
        return bytes;
    }
}
