package io.streamdetect.jobs;

import io.streamdetect.records.DeadLetter;
import java.nio.ByteBuffer;
import org.apache.flink.api.common.functions.MapFunction;

/**
 * Keeps dead letters writable: the Kafka sinks take records up to {@code decode.max-bytes} plus headroom
 * ({@link RecordSinks#sizeForImages}), but a value refused for its size (IMAGE_TOO_LARGE) or one that is not an
 * ImageRecord at all (MALFORMED_RECORD) may be larger, as large as the input topic allows. Such a dead letter
 * would fail the sink, and the job would restart into it forever; it is written without its payload instead,
 * saying so in its message (its record id, or its Kafka topic/partition/offset, still names it).
 */
public final class DeadLetterPayloads implements MapFunction<DeadLetter, DeadLetter> {
    private static final long serialVersionUID = 1L;

    private final long maxPayloadBytes;

    public DeadLetterPayloads(long maxPayloadBytes) {
        this.maxPayloadBytes = maxPayloadBytes;
    }

    @Override
    public DeadLetter map(DeadLetter dead) {
        ByteBuffer payload = dead.getPayload();
        if (payload == null || payload.remaining() <= maxPayloadBytes) {
            return dead;
        }
        return DeadLetter.newBuilder(dead)
                .setPayload(null)
                .setMessage(dead.getMessage() + " [payload of " + payload.remaining() + " bytes not kept: over "
                        + "decode.max-bytes (" + maxPayloadBytes + "), more than the dead-letter sink may write]")
                .build();
    }
}
