package io.streamdetect.jobs;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.util.function.SerializableFunction;

/**
 * Passes records through and counts them in a Flink accumulator (summed over subtasks and returned with the
 * job's result), and optionally a per-record quantity in a second one: how the reprocess job reports its totals.
 */
public final class RecordCounter<T> extends RichMapFunction<T, T> {
    private static final long serialVersionUID = 1L;

    private final String countName;
    private final String sumName;
    private final SerializableFunction<T, Long> quantity;
    private transient LongCounter count;
    private transient LongCounter sum;

    private RecordCounter(String countName, String sumName, SerializableFunction<T, Long> quantity) {
        this.countName = countName;
        this.sumName = sumName;
        this.quantity = quantity;
    }

    /** Counts the records in accumulator {@code name}. */
    public static <T> RecordCounter<T> counting(String name) {
        return new RecordCounter<>(name, null, null);
    }

    /** Counts the records in {@code name} and adds up {@code quantity} of each in {@code sumName}. */
    public static <T> RecordCounter<T> counting(String name, String sumName, SerializableFunction<T, Long> quantity) {
        return new RecordCounter<>(name, sumName, quantity);
    }

    @Override
    public void open(OpenContext openContext) {
        count = getRuntimeContext().getLongCounter(countName);
        sum = sumName == null ? null : getRuntimeContext().getLongCounter(sumName);
    }

    @Override
    public T map(T record) throws Exception {
        count.add(1);
        if (sum != null) {
            sum.add(quantity.apply(record));
        }
        return record;
    }
}
