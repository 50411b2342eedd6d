package io.streamdetect.sql;

import io.streamdetect.flink.DetectionOptions;
import io.streamdetect.flink.DetectionSettings;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.factories.ModelProviderFactory;
import org.apache.flink.table.functions.AsyncPredictFunction;
import org.apache.flink.table.ml.AsyncPredictRuntimeProvider;
import org.apache.flink.table.ml.ModelProvider;
import org.apache.flink.table.types.logical.LogicalTypeFamily;

/**
 * The {@code streamdetect} model provider for Flink SQL:
 *
 * <pre>{@code
 * CREATE MODEL detector
 *   INPUT (image BYTES)
 *   OUTPUT (detections ARRAY<ROW<class_id INT, class_name STRING, score FLOAT, x1 FLOAT, y1 FLOAT, x2 FLOAT, y2 FLOAT>>,
 *           width INT, height INT, error_kind STRING, error_message STRING)
 *   WITH ('provider' = 'streamdetect', 'model' = '/models/yolo11n.onnx', 'batch.max-size' = '64');
 * SELECT * FROM ML_PREDICT(TABLE images, MODEL detector, DESCRIPTOR(image));
 * }</pre>
 *
 * Options are {@link DetectionOptions}, the stream settings' keys. The schemas are checked when the model is used:
 * one BYTES input column, output columns among {@link ModelOutputColumn}.
 */
public final class StreamDetectModelProviderFactory implements ModelProviderFactory {
    public static final String IDENTIFIER = "streamdetect";

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of(DetectionOptions.MODEL);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        Set<ConfigOption<?>> options = new HashSet<>(DetectionOptions.ALL);
        options.remove(DetectionOptions.MODEL);
        return options;
    }

    @Override
    public ModelProvider createModelProvider(Context context) {
        FactoryUtil.ModelProviderFactoryHelper helper = FactoryUtil.createModelProviderFactoryHelper(this, context);
        helper.validate();
        String model = context.getObjectIdentifier().asSummaryString();
        if (helper.getOptions().getOptional(DetectionOptions.MODEL_WATCH).isPresent()) {
            // the swap keeps the accepted model in the operator's state; a SQL predict function has none
            throw new ValidationException("model " + model + ": '" + DetectionOptions.MODEL_WATCH.key() + "' is not "
                    + "supported by ML_PREDICT (a restart could not come back on the replaced model); remove it, and "
                    + "to change the model re-create it (CREATE MODEL) and restart the query from a savepoint, or use "
                    + "the DataStream job (`stream -D model.watch=...`)");
        }
        DetectionSettings settings;
        try {
            settings = DetectionOptions.builder(helper.getOptions()).build().settings();
        } catch (IllegalArgumentException e) {
            throw new ValidationException("model " + model + ": " + e.getMessage(), e);
        }
        checkInput(model, context.getCatalogModel().getResolvedInputSchema());
        List<ModelOutputColumn> columns = outputColumns(model, context.getCatalogModel().getResolvedOutputSchema());
        return new Provider(new DetectionPredictFunction(settings, columns));
    }

    private static void checkInput(String model, ResolvedSchema input) {
        List<Column> columns = input.getColumns().stream().filter(Column::isPhysical).toList();
        if (columns.size() != 1 || !columns.get(0).getDataType().getLogicalType().is(LogicalTypeFamily.BINARY_STRING)) {
            throw new ValidationException("model " + model + ": INPUT must be one BYTES column (the encoded JPEG or "
                    + "PNG image), e.g. INPUT (image BYTES); got " + input.getColumns());
        }
    }

    private static List<ModelOutputColumn> outputColumns(String model, ResolvedSchema output) {
        List<ModelOutputColumn> columns = new ArrayList<>();
        for (Column c : output.getColumns()) {
            try {
                ModelOutputColumn column = ModelOutputColumn.of(c.getName(), c.getDataType().getLogicalType());
                if (columns.contains(column)) {
                    throw new IllegalArgumentException("output column '" + c.getName() + "' appears twice");
                }
                columns.add(column);
            } catch (IllegalArgumentException e) {
                throw new ValidationException("model " + model + ": " + e.getMessage(), e);
            }
        }
        return columns;
    }

    /** Hands the planner the asynchronous predict function: ML_PREDICT runs it in an async operator. */
    private record Provider(AsyncPredictFunction function) implements AsyncPredictRuntimeProvider {
        @Override
        public AsyncPredictFunction createAsyncPredictFunction(Context context) {
            return function;
        }

        @Override
        public ModelProvider copy() {
            return new Provider(function);
        }
    }
}
