package io.streamdetect.records;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;

/**
 * Earlier released versions of each schema, kept as resources under {@code /avro-history/<Name>-vN.avsc}, so
 * a reader always resolves records written by older producers. When a schema changes, copy the released
 * version here before editing the .avsc under src/main/avro.
 */
public final class SchemaHistory {
    private static final int MAX_VERSIONS = 100;

    private SchemaHistory() {}

    public static List<Schema> writerSchemasOf(Class<?> recordClass) {
        List<Schema> schemas = new ArrayList<>();
        for (int v = 1; v <= MAX_VERSIONS; v++) {
            String name = "/avro-history/" + recordClass.getSimpleName() + "-v" + v + ".avsc";
            try (InputStream in = SchemaHistory.class.getResourceAsStream(name)) {
                if (in == null) {
                    break;
                }
                schemas.add(new Schema.Parser().parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + name, e);
            }
        }
        return schemas;
    }
}
