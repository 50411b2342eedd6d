package io.streamdetect.jobs.files;

import io.streamdetect.records.DeadLetter;
import io.streamdetect.records.DetectionRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

/**
 * Reads the Avro container files the reprocess job writes. Each file names its record type in its header
 * schema, so DetectionRecord and DeadLetter files are told apart without a flag; older schema versions in the
 * files resolve against the current classes (every field has a default).
 */
public final class AvroFiles {
    private AvroFiles() {}

    /** Every record of {@code path} (a file, or the *.avro files in a folder), which must hold {@code type} records. */
    public static <T extends SpecificRecord> List<T> readAll(Path path, Class<T> type) {
        List<T> records = new ArrayList<>();
        read(path, 0, record -> records.add(type.cast(record)));
        return records;
    }

    /** Passes up to {@code max} records (0 = all) of {@code path} (a file, or the *.avro files in a folder) to {@code each}. */
    public static long read(Path path, int max, Consumer<SpecificRecord> each) {
        long count = 0;
        for (Path file : files(path)) {
            Class<? extends SpecificRecord> type = typeOf(file);
            try (DataFileReader<? extends SpecificRecord> reader = new DataFileReader<>(file.toFile(), new SpecificDatumReader<>(type))) {
                for (SpecificRecord record : reader) {
                    if (max > 0 && count >= max) {
                        return count;
                    }
                    each.accept(record);
                    count++;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file + " as Avro: " + e.getMessage(), e);
            }
        }
        return count;
    }

    private static List<Path> files(Path path) {
        if (Files.isRegularFile(path)) {
            return List.of(path);
        }
        if (!Files.isDirectory(path)) {
            throw new IllegalArgumentException(path + " does not exist; pass a folder of .avro files (e.g. OUT/detections "
                    + "of reprocess --output-dir OUT) or one file");
        }
        try (Stream<Path> s = Files.list(path)) {
            return s.filter(f -> f.getFileName().toString().endsWith(".avro")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Class<? extends SpecificRecord> typeOf(Path file) {
        try (DataFileReader<Object> reader = new DataFileReader<>(file.toFile(), new org.apache.avro.generic.GenericDatumReader<>())) {
            String name = reader.getSchema().getFullName();
            if (name.equals(DetectionRecord.getClassSchema().getFullName())) {
                return DetectionRecord.class;
            }
            if (name.equals(DeadLetter.getClassSchema().getFullName())) {
                return DeadLetter.class;
            }
            throw new IllegalArgumentException(file + " holds " + name + " records, not DetectionRecords or DeadLetters");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + " is not an Avro container file: " + e.getMessage(), e);
        }
    }
}
