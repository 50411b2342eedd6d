package io.streamdetect.engine.tensorrt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdetect.engine.EngineException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Issue 18: CUDA graphs are on for plans with NMS in them unless the property says false; other values are refused. */
class NmsGraphsPropertyTest {
    @AfterEach
    void clear() {
        System.clearProperty(TensorRtEngine.NMS_GRAPHS_PROPERTY);
    }

    @Test
    void onUnlessSetToFalse() {
        assertThat(TensorRtEngine.nmsGraphsProperty()).as("unset").isTrue();
        System.setProperty(TensorRtEngine.NMS_GRAPHS_PROPERTY, " FALSE ");
        assertThat(TensorRtEngine.nmsGraphsProperty()).isFalse();
        System.setProperty(TensorRtEngine.NMS_GRAPHS_PROPERTY, "true");
        assertThat(TensorRtEngine.nmsGraphsProperty()).isTrue();
    }

    @Test
    void aValueThatIsNeitherTrueNorFalseIsRefusedNotGuessed() {
        System.setProperty(TensorRtEngine.NMS_GRAPHS_PROPERTY, "off");
        assertThatThrownBy(TensorRtEngine::nmsGraphsProperty).isInstanceOf(EngineException.class)
                .hasMessage("-Dstreamdetect.tensorrt.cuda-graphs.nms=off is neither true (the default: CUDA graphs for "
                        + "plans with NMS in them too) nor false (graphs off for those plans only)");
    }
}
