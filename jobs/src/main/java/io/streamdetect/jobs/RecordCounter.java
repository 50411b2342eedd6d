package io.streamdetect.jobs;

import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.util.function.SerializableFunction;

/**
 * Passes records through and counts them in Flink accumulators (summed over subtasks and returned with the
 * job's result): the records, optionally a per-record quantity, optionally the records per category (in
 * {@code NAME.CATEGORY}). How the reprocess job reports its totals.
 */
public final class RecordCounter<T> extends RichMapFunction<T, T> {
    private static final long serialVersionUID = 1L;

    private final String countName;
    private final String sumName;
    private final SerializableFunction<T, Long> quantity;
    private final SerializableFunction<T, String> category;
    private transient LongCounter count;
    private transient LongCounter sum;
    private transient Map<String, LongCounter> perCategory;

    private RecordCounter(String countName, String sumName, SerializableFunction<T, Long> quantity,
                          SerializableFunction<T, String> category) {
        this.countName = countName;
        this.sumName = sumName;
        this.quantity = quantity;
        this.category = category;
    }

    /** Counts the records in {@code name} and adds up {@code quantity} of each in {@code sumName}. */
    public static <T> RecordCounter<T> counting(String name, String sumName, SerializableFunction<T, Long> quantity) {
        return new RecordCounter<>(name, sumName, quantity, null);
    }

    /** Counts the records in {@code name}, and those of each category in {@code name.CATEGORY}. */
    public static <T> RecordCounter<T> countingBy(String name, SerializableFunction<T, String> category) {
        return new RecordCounter<>(name, null, null, category);
    }

    @Override
    public void open(OpenContext openContext) {
        count = getRuntimeContext().getLongCounter(countName);
        sum = sumName == null ? null : getRuntimeContext().getLongCounter(sumName);
        perCategory = new HashMap<>();
    }

    @Override
    public T map(T record) throws Exception {
        count.add(1);
        if (sum != null) {
            sum.add(quantity.apply(record));
        }
        if (category != null) {
            // created on first sight: the categories (dead-letter kinds) are not known up front
            perCategory.computeIfAbsent(category.apply(record),
                    c -> getRuntimeContext().getLongCounter(countName + "." + c)).add(1);
        }
        return record;
    }
}
