package io.streamdetect.sql;

import java.util.List;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeFamily;

/** Type checks for the columns a user declares, lenient where SQL users would expect it. */
public final class SqlTypes {
    private SqlTypes() {}

    /**
     * Same type roots all the way down, ignoring NOT NULL, string and binary lengths and field names: {@code
     * STRING} matches {@code VARCHAR(100)}, {@code BYTES} matches {@code VARBINARY(10)}.
     */
    public static boolean sameIgnoringNullability(LogicalType declared, LogicalType expected) {
        boolean sameRoot = declared.getTypeRoot() == expected.getTypeRoot()
                || (declared.is(LogicalTypeFamily.CHARACTER_STRING) && expected.is(LogicalTypeFamily.CHARACTER_STRING))
                || (declared.is(LogicalTypeFamily.BINARY_STRING) && expected.is(LogicalTypeFamily.BINARY_STRING));
        if (!sameRoot) {
            return false;
        }
        List<LogicalType> a = declared.getChildren();
        List<LogicalType> b = expected.getChildren();
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!sameIgnoringNullability(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }
}
