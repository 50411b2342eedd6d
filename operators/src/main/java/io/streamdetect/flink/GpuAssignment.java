package io.streamdetect.flink;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.flink.api.common.externalresource.ExternalResourceInfo;

/**
 * Which GPU a task slot uses, from Flink's external resource framework. A TaskManager configured with
 * {@code external-resources: gpu} and the GPU driver ({@code external-resource.gpu.driver-factory.class:
 * org.apache.flink.externalresource.gpu.GPUDriverFactory}) hands every slot the indices of all the GPUs it
 * discovered; Flink does not pin a GPU to a slot, so the slots spread themselves over the GPUs by subtask index.
 * With one GPU per TaskManager (the common setup) every slot gets that one.
 */
public final class GpuAssignment {
    /** The property the Flink GPU driver puts the CUDA device index in. */
    static final String INDEX = "index";

    private GpuAssignment() {}

    /**
     * The CUDA device index for subtask {@code subtask}, or empty when the TaskManager has no GPU resource
     * configured (then the engine uses {@code STREAMDETECT_CUDA_DEVICE}, else device 0).
     */
    public static OptionalInt choose(Collection<ExternalResourceInfo> gpus, int subtask) {
        List<Integer> indices = gpus.stream()
                .map(g -> g.getProperty(INDEX))
                .flatMap(Optional::stream)
                .map(GpuAssignment::parseIndex)
                .sorted()
                .distinct()
                .toList();
        if (indices.isEmpty()) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(indices.get(Math.floorMod(subtask, indices.size())));
    }

    private static int parseIndex(String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalStateException("the GPU external resource reported index '" + value
                    + "', not a CUDA device number; check external-resource.gpu.param.discovery-script.*", e);
        }
    }
}
