package io.streamdetect.flink;

import io.streamdetect.PipelineException;
import io.streamdetect.decode.DecodeLimits;
import io.streamdetect.records.ImageRecord;
import io.streamdetect.records.RecordFactory;
import java.nio.ByteBuffer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Sends images over {@link DecodeLimits#maxBytes()} to the dead letters before the detection operator, so they
 * never sit in its queue, which is part of every checkpoint (an async operator checkpoints the records in
 * flight). The dead letter is the one the decoder would have made: IMAGE_TOO_LARGE at stage decode, same message.
 */
final class OversizedImages extends ProcessFunction<ImageRecord, ImageRecord> {
    private static final long serialVersionUID = 1L;

    private final DecodeLimits limits;
    private transient Counter deadLetters;

    OversizedImages(DecodeLimits limits) {
        this.limits = limits;
    }

    @Override
    public void open(OpenContext openContext) {
        countDeadLettersWith(getRuntimeContext().getMetricGroup().addGroup("streamdetect").counter("deadLetters"));
    }

    void countDeadLettersWith(Counter counter) {
        this.deadLetters = counter;
    }

    @Override
    public void processElement(ImageRecord image, Context ctx, Collector<ImageRecord> out) {
        ByteBuffer bytes = image.getImage();
        try {
            limits.checkBytes(bytes == null ? 0 : bytes.remaining());
        } catch (PipelineException tooLarge) {
            deadLetters.inc();
            ctx.output(DetectionOperator.DEAD_LETTERS, RecordFactory.failed(image, tooLarge));
            return;
        }
        out.collect(image);
    }
}
