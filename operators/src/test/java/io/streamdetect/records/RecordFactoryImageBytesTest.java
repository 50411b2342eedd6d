package io.streamdetect.records;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.PipelineException;
import io.streamdetect.Stage;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * {@link RecordFactory#imageBytes}: the buffer's own array where that is exactly the image, else a copy; and dead
 * letters made with the bytes it read keep them, whatever happens to the record's buffer since.
 */
class RecordFactoryImageBytesTest {
    private static final byte[] JPEG = {(byte) 0xFF, (byte) 0xD8, 1, 2, 3, 4, 5, (byte) 0xFF, (byte) 0xD9};

    private static ImageRecord with(ByteBuffer image) {
        return ImageRecord.newBuilder().setRecordId("r").setSourceId("s").setEventTime(Instant.EPOCH)
                .setImage(image).setContentType("image/jpeg").build();
    }

    @Test
    void aRecordAsAvroDecodesItSharesItsArray() {
        AvroCodec<ImageRecord> codec = AvroCodec.of(ImageRecord.class);
        ImageRecord decoded = codec.decode(codec.encode(with(ByteBuffer.wrap(JPEG))));
        byte[] bytes = RecordFactory.imageBytes(decoded);
        assertThat(bytes).containsExactly(JPEG).isSameAs(decoded.getImage().array());
        assertThat(decoded.getImage().position()).isZero();
    }

    @Test
    void aBufferThatIsPartOfAnArrayIsCopiedAndLeftAsItWas() {
        byte[] framed = new byte[JPEG.length + 4];
        System.arraycopy(JPEG, 0, framed, 2, JPEG.length);
        ByteBuffer middle = ByteBuffer.wrap(framed, 2, JPEG.length);
        assertThat(RecordFactory.imageBytes(with(middle))).containsExactly(JPEG);
        assertThat(RecordFactory.imageBytes(with(middle.slice()))).containsExactly(JPEG); // array offset 2
        assertThat(middle.position()).isEqualTo(2);
    }

    @Test
    void readOnlyAndDirectBuffersAreCopied() {
        ByteBuffer direct = ByteBuffer.allocateDirect(JPEG.length).put(JPEG).flip();
        assertThat(RecordFactory.imageBytes(with(direct))).containsExactly(JPEG);
        ByteBuffer readOnly = ByteBuffer.wrap(JPEG).asReadOnlyBuffer();
        byte[] copied = RecordFactory.imageBytes(with(readOnly));
        assertThat(copied).containsExactly(JPEG).isNotSameAs(JPEG);
    }

    @Test
    void aDeadLetterMadeOnAnotherThreadKeepsTheBytesReadOnTheTaskThread() {
        ImageRecord image = with(ByteBuffer.wrap(JPEG));
        byte[] bytes = RecordFactory.imageBytes(image);
        // where a checkpoint copying the record on the task thread has its buffer at the moment (Avro's deepCopy
        // reads it with a relative get, then puts the position back)
        image.getImage().position(JPEG.length);
        PipelineException error = new PipelineException(ErrorKind.DECODE_FAILED, Stage.DECODE, "corrupt");
        assertThat(RecordFactory.failed(image, bytes, error).getPayload()).isEqualTo(ByteBuffer.wrap(JPEG));
        assertThat(RecordFactory.timedOut(image, bytes, java.time.Duration.ofSeconds(1)).getPayload())
                .isEqualTo(ByteBuffer.wrap(JPEG));
        assertThat(RecordFactory.failed(image, error).getPayload().remaining())
                .as("read from the buffer at that moment, as every dead letter was").isZero();
    }

    @Test
    void noImageIsNoBytes() {
        ImageRecord record = with(ByteBuffer.wrap(JPEG));
        record.setImage(null); // the schema refuses it, but a record built in code can hold it
        assertThat(RecordFactory.imageBytes(record)).isEmpty();
    }
}
