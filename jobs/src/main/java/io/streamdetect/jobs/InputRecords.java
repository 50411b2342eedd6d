package io.streamdetect.jobs;

import io.streamdetect.records.DeadLetter;
import io.streamdetect.records.ImageRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.types.Either;

/**
 * What every source of the jobs emits: an {@link ImageRecord} (Right), or a {@link DeadLetter} (Left) for an
 * input that could not even be read as one. Splitting them here keeps the operator uids the same in every job,
 * so savepoints map.
 *
 * @param images     the readable images, on to detection
 * @param unreadable dead letters for the rest, straight to the dead-letter sink
 */
public record InputRecords(DataStream<ImageRecord> images, DataStream<DeadLetter> unreadable) {

    /** The sources' produced type. */
    public static TypeInformation<Either<DeadLetter, ImageRecord>> type() {
        return new EitherTypeInfo<>(new AvroTypeInfo<>(DeadLetter.class), new AvroTypeInfo<>(ImageRecord.class));
    }

    public static InputRecords split(DataStream<Either<DeadLetter, ImageRecord>> input) {
        DataStream<ImageRecord> images = input
                .filter(Either::isRight).name("readable").uid("streamdetect-readable")
                .map(Either::right).returns(new AvroTypeInfo<>(ImageRecord.class)).name("images").uid("streamdetect-images");
        DataStream<DeadLetter> unreadable = input
                .filter(Either::isLeft).name("unreadable").uid("streamdetect-unreadable")
                .map(Either::left).returns(new AvroTypeInfo<>(DeadLetter.class)).name("malformed").uid("streamdetect-malformed");
        return new InputRecords(images, unreadable);
    }
}
