package io.streamdetect.flink;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.swap.AcceptedModel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.core.fs.CloseableRegistry;
import org.apache.flink.runtime.checkpoint.CheckpointOptions;
import org.apache.flink.runtime.state.DefaultOperatorStateBackend;
import org.apache.flink.runtime.state.DefaultOperatorStateBackendBuilder;
import org.apache.flink.runtime.state.OperatorStateHandle;
import org.apache.flink.runtime.state.SnapshotResult;
import org.apache.flink.runtime.state.StateInitializationContextImpl;
import org.apache.flink.runtime.state.memory.MemCheckpointStreamFactory;
import org.junit.jupiter.api.Test;

/**
 * The detection function's operator state across runs, on Flink's own operator state backend: snapshot, restore into
 * the next run, snapshot again.
 */
class DetectionFunctionStateTest {
    private static final String ACCEPTED = "streamdetect-accepted-model";

    /**
     * A run without model.watch restored from one that accepted a model: Flink carries restored state into every
     * later checkpoint whether an operator reads it or not, so the run empties it; else a third run that watches
     * again would go back to the model accepted two runs before.
     */
    @Test
    void aRunWithoutModelWatchEmptiesTheAcceptedModelItRestored() throws Exception {
        DefaultOperatorStateBackend watching = backend(List.of());
        ListState<String> state = watching.getUnionListState(new ListStateDescriptor<>(ACCEPTED, String.class));
        state.add(new AcceptedModel("/models/v2.onnx", "ab".repeat(32), 1L).encode());
        OperatorStateHandle afterWatching = snapshot(watching);

        DefaultOperatorStateBackend notWatching = backend(List.of(afterWatching));
        DetectionFunction function = new DetectionFunction(DetectionOperator.builder().setModel("m.onnx").build().settings());
        function.initializeState(new StateInitializationContextImpl(1L, notWatching, null, List.of(), List.of()));
        OperatorStateHandle afterNotWatching = snapshot(notWatching);

        DefaultOperatorStateBackend watchingAgain = backend(List.of(afterNotWatching));
        List<String> restored = new ArrayList<>();
        watchingAgain.getUnionListState(new ListStateDescriptor<>(ACCEPTED, String.class)).get().forEach(restored::add);
        assertThat(restored).as("the accepted model of two runs before").isEmpty();
    }

    /** Without model.watch and without restored state, the function registers no operator state at all. */
    @Test
    void aFreshRunWithoutModelWatchHasNoOperatorState() throws Exception {
        DefaultOperatorStateBackend fresh = backend(List.of());
        DetectionFunction function = new DetectionFunction(DetectionOperator.builder().setModel("m.onnx").build().settings());
        function.initializeState(new StateInitializationContextImpl(null, fresh, null, List.of(), List.of()));
        assertThat(fresh.getRegisteredStateNames()).isEmpty();
    }

    private static DefaultOperatorStateBackend backend(Collection<OperatorStateHandle> restored) throws Exception {
        return new DefaultOperatorStateBackendBuilder(DetectionFunctionStateTest.class.getClassLoader(),
                new ExecutionConfig(), false, restored, new CloseableRegistry()).build();
    }

    private static OperatorStateHandle snapshot(DefaultOperatorStateBackend backend) throws Exception {
        var future = backend.snapshot(1L, 1L, new MemCheckpointStreamFactory(1 << 20),
                CheckpointOptions.forCheckpointWithDefaultLocation());
        future.run();
        SnapshotResult<OperatorStateHandle> result = future.get();
        return result.getJobManagerOwnedSnapshot();
    }
}
