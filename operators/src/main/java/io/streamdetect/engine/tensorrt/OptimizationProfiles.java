package io.streamdetect.engine.tensorrt;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

/**
 * The optimisation profiles of a dynamic-batch plan. TensorRT picks each layer's kernels for a profile's
 * {@code opt} batch: kernels tuned for batch 64 are slow at batch 1, and a camera feed at a few frames per second
 * runs batch 1 nearly always. So besides the throughput profile (index 0, batch 1..max tuned for max: the only
 * profile plans had before, kept first so older code and plans read the same) a plan gets small profiles
 * 1..b tuned for b, and each run takes the profile with the smallest b that holds its batch.
 *
 * <p>The setting ({@code tensorrt.profiles}, {@code --profiles}): {@code auto} = batch 1 and 8 below the max
 * batch; {@code none} = the throughput profile only; or a list of batch sizes such as {@code 1,4,16}.
 *
 * @param batches every profile's max (= opt) batch, by profile index: the max batch first, then the small ones
 *                in ascending order
 */
public record OptimizationProfiles(List<Integer> batches) {
    /** The default setting. */
    public static final String AUTO = "auto";
    public static final String NONE = "none";
    private static final List<Integer> AUTO_BATCHES = List.of(1, 8);

    public OptimizationProfiles {
        batches = List.copyOf(batches);
        if (batches.isEmpty() || batches.get(0) < 1) {
            throw new IllegalArgumentException("a plan needs its throughput profile first, got " + batches);
        }
    }

    /**
     * The profiles for {@code setting} at {@code maxBatch}; sizes at or above the max batch are dropped (the
     * throughput profile covers them).
     *
     * @throws IllegalArgumentException for a setting that is not auto, none or a list of positive batch sizes
     */
    public static OptimizationProfiles of(String setting, int maxBatch) {
        String value = setting == null ? AUTO : setting.trim().toLowerCase(Locale.ROOT);
        List<Integer> small;
        if (value.equals(AUTO) || value.isEmpty()) {
            small = AUTO_BATCHES;
        } else if (value.equals(NONE)) {
            small = List.of();
        } else {
            small = new ArrayList<>();
            for (String part : value.split(",")) {
                try {
                    int b = Integer.parseInt(part.trim());
                    if (b < 1) {
                        throw new NumberFormatException();
                    }
                    small.add(b);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("profiles must be auto, none or batch sizes such as 1,8; got '"
                            + setting + "'");
                }
            }
        }
        List<Integer> batches = new ArrayList<>();
        batches.add(maxBatch);
        new TreeSet<>(small).stream().filter(b -> b < maxBatch).forEach(batches::add);
        return new OptimizationProfiles(batches);
    }

    /** The one profile of a plan built before profiles were configurable, or of {@code none}. */
    public static OptimizationProfiles single(int maxBatch) {
        return new OptimizationProfiles(List.of(maxBatch));
    }

    public int maxBatch() {
        return batches.get(0);
    }

    public int count() {
        return batches.size();
    }

    /** The index of the profile with the smallest batch range that holds {@code batch}. */
    public int indexFor(int batch) {
        int best = 0;
        for (int i = 1; i < batches.size(); i++) {
            if (batches.get(i) >= batch && batches.get(i) < batches.get(best)) {
                best = i;
            }
        }
        return best;
    }

    /** "" for the throughput profile alone (plan keys and names stay as before), else e.g. "1,8". */
    public String keyText() {
        return String.join(",", batches.subList(1, batches.size()).stream().map(String::valueOf).toList());
    }

    /** E.g. "1..64 (tuned for 64), 1..1, 1..8". */
    public String describe() {
        StringBuilder text = new StringBuilder("1.." + maxBatch());
        for (int b : batches.subList(1, batches.size())) {
            text.append(", 1..").append(b);
        }
        return text.toString();
    }

    @Override
    public String toString() {
        return Arrays.toString(batches.toArray());
    }
}
