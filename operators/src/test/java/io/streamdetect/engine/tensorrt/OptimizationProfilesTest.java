package io.streamdetect.engine.tensorrt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdetect.cuda.GpuInfo;
import io.streamdetect.engine.Precision;
import java.util.List;
import org.junit.jupiter.api.Test;

class OptimizationProfilesTest {
    private static final GpuInfo GPU = new GpuInfo(0, "NVIDIA H200", "9.0", 140L << 30);
    private static final String SHA = "ab".repeat(32);

    @Test
    void autoAddsBatchOneAndEightBelowTheMaxBatchAfterTheThroughputProfile() {
        assertThat(OptimizationProfiles.of("auto", 64).batches()).containsExactly(64, 1, 8);
        assertThat(OptimizationProfiles.of("auto", 8).batches()).containsExactly(8, 1);
        assertThat(OptimizationProfiles.of("auto", 1).batches()).containsExactly(1);
        assertThat(OptimizationProfiles.of("none", 64).batches()).containsExactly(64);
        assertThat(OptimizationProfiles.of(" 16, 2,4,4,128 ", 32).batches()).containsExactly(32, 2, 4, 16);
    }

    @Test
    void eachBatchRunsOnTheSmallestProfileThatHoldsIt() {
        OptimizationProfiles p = OptimizationProfiles.of("auto", 64);
        assertThat(p.indexFor(1)).isEqualTo(1);
        assertThat(p.indexFor(2)).isEqualTo(2);
        assertThat(p.indexFor(8)).isEqualTo(2);
        assertThat(p.indexFor(9)).isZero();
        assertThat(p.indexFor(64)).isZero();
        assertThat(OptimizationProfiles.single(64).indexFor(1)).isZero();
    }

    @Test
    void badSettingsNameTheAcceptedForms() {
        for (String bad : List.of("fast", "1,x", "0", "-4")) {
            assertThatThrownBy(() -> OptimizationProfiles.of(bad, 64))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("auto, none or batch sizes");
        }
    }

    @Test
    void profilesAndOptLevelArePartOfThePlanKeyWhileSingleProfilePlansKeepTheirOldKey() {
        PlanKey old = PlanKey.of(SHA, GPU, "10.6.0", Precision.FP16, 64, 640, 640);
        BuildOptions single = BuildOptions.of(Precision.FP16, 64).withProfiles("none");
        BuildOptions auto = BuildOptions.of(Precision.FP16, 64);
        assertThat(old.forBuild(single, 0)).isEqualTo(old);
        PlanKey profiled = old.forBuild(auto, 0);
        assertThat(profiled.digest()).isNotEqualTo(old.digest());
        assertThat(profiled.canonical()).endsWith("|profiles=1,8");
        assertThat(profiled.fileName("yolo11n")).startsWith("yolo11n-fp16-b64-p1.8-");
        // a model with a fixed batch has no profiles to choose, whatever the setting
        assertThat(old.forBuild(auto, 1)).isEqualTo(old);
        PlanKey quick = old.forBuild(new BuildOptions(Precision.FP16, 64, 0, 1, null, 4).withProfiles("none"), 0);
        assertThat(quick.canonical()).endsWith("|opt=1");
        assertThat(quick.fileName("yolo11n")).contains("-o1-");
    }
}
