package io.streamdetect.sql;

import io.streamdetect.postprocess.DetectedObject;
import io.streamdetect.predict.Prediction;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;

/**
 * The columns a {@code streamdetect} model can have in its {@code OUTPUT (...)}, by name; a model declares any of
 * them, in any order. A processed image fills {@code detections}, {@code width} and {@code height}; an image that
 * could not be processed gets no detections and fills the {@code error_*} columns.
 */
enum ModelOutputColumn {
    DETECTIONS(DataTypes.ARRAY(DataTypes.ROW(
            DataTypes.FIELD("class_id", DataTypes.INT()),
            DataTypes.FIELD("class_name", DataTypes.STRING()),
            DataTypes.FIELD("score", DataTypes.FLOAT()),
            DataTypes.FIELD("x1", DataTypes.FLOAT()),
            DataTypes.FIELD("y1", DataTypes.FLOAT()),
            DataTypes.FIELD("x2", DataTypes.FLOAT()),
            DataTypes.FIELD("y2", DataTypes.FLOAT())))) {
        @Override
        Object value(Prediction p) {
            List<DetectedObject> objects = p.ok() ? p.objects() : List.of();
            Object[] rows = new Object[objects.size()];
            for (int i = 0; i < rows.length; i++) {
                DetectedObject o = objects.get(i);
                rows[i] = GenericRowData.of(o.classId(), StringData.fromString(o.className()), o.score(),
                        o.x1(), o.y1(), o.x2(), o.y2());
            }
            return new GenericArrayData(rows);
        }
    },
    WIDTH(DataTypes.INT()) {
        @Override
        Object value(Prediction p) {
            return p.ok() ? p.width() : null;
        }
    },
    HEIGHT(DataTypes.INT()) {
        @Override
        Object value(Prediction p) {
            return p.ok() ? p.height() : null;
        }
    },
    ERROR_KIND(DataTypes.STRING()) {
        @Override
        Object value(Prediction p) {
            return p.ok() ? null : StringData.fromString(p.error().kind().name());
        }
    },
    ERROR_STAGE(DataTypes.STRING()) {
        @Override
        Object value(Prediction p) {
            return p.ok() ? null : StringData.fromString(p.error().stage().label());
        }
    },
    ERROR_MESSAGE(DataTypes.STRING()) {
        @Override
        Object value(Prediction p) {
            return p.ok() ? null : StringData.fromString(p.error().getMessage());
        }
    };

    private final DataType type;

    ModelOutputColumn(DataType type) {
        this.type = type;
    }

    /** The column's name in SQL: {@code detections}, {@code width}, {@code error_kind}... */
    String columnName() {
        return name().toLowerCase(Locale.ROOT);
    }

    DataType type() {
        return type;
    }

    /** This column's value for one image's outcome, as Flink's internal data. */
    abstract Object value(Prediction p);

    /**
     * The column an output column declared as {@code name type} maps to.
     *
     * @throws IllegalArgumentException naming the column when no column has that name, or the type differs
     */
    static ModelOutputColumn of(String name, LogicalType declared) {
        ModelOutputColumn column = Arrays.stream(values())
                .filter(c -> c.columnName().equalsIgnoreCase(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("output column '" + name + "' is not one the "
                        + "streamdetect model fills; it fills " + describeAll()));
        if (!SqlTypes.sameIgnoringNullability(declared, column.type.getLogicalType())) {
            throw new IllegalArgumentException("output column '" + name + "' is " + declared.asSummaryString()
                    + ", but the streamdetect model fills it with " + column.type.getLogicalType().asSummaryString());
        }
        return column;
    }

    static String describeAll() {
        return Arrays.stream(values())
                .map(c -> c.columnName() + " " + c.type.getLogicalType().asSummaryString())
                .collect(Collectors.joining(", "));
    }
}
