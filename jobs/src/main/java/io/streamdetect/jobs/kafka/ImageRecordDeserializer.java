package io.streamdetect.jobs.kafka;

import io.streamdetect.jobs.InputRecords;
import io.streamdetect.records.AvroCodec;
import io.streamdetect.records.DeadLetter;
import io.streamdetect.records.ImageRecord;
import io.streamdetect.records.RecordFactory;
import io.streamdetect.records.RecordFormatException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads Kafka values as {@link ImageRecord}s. A value that is not one becomes a MALFORMED_RECORD dead letter
 * (Left) with its bytes and topic/partition/offset, so one bad producer cannot stop the job.
 */
public final class ImageRecordDeserializer implements KafkaRecordDeserializationSchema<Either<DeadLetter, ImageRecord>> {
    private static final long serialVersionUID = 1L;

    private final AvroCodec<ImageRecord> codec = AvroCodec.of(ImageRecord.class);

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Either<DeadLetter, ImageRecord>> out) {
        try {
            out.collect(Either.Right(codec.decode(record.value())));
        } catch (RecordFormatException e) {
            out.collect(Either.Left(RecordFactory.malformed(
                    record.key() == null ? null : new String(record.key(), java.nio.charset.StandardCharsets.UTF_8), record.value(), record.topic(), record.partition(),
                    record.offset(), e.getMessage())));
        }
    }

    @Override
    public TypeInformation<Either<DeadLetter, ImageRecord>> getProducedType() {
        return InputRecords.type();
    }
}
