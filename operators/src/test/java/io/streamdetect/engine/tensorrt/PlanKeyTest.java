package io.streamdetect.engine.tensorrt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdetect.cuda.GpuInfo;
import io.streamdetect.engine.Precision;
import io.streamdetect.postprocess.PostprocessConfig;
import io.streamdetect.model.DetectionHead;
import io.streamdetect.model.ModelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The TensorRT backend's logic that needs no GPU: cache keys, profiles, calibration batching, engine files. */
class PlanKeyTest {
    private static final GpuInfo H100 = new GpuInfo(0, "NVIDIA H100 80GB HBM3", "9.0", 80L << 30);
    private static final String SHA = "1d94fcf43602088aa6693f78f088a1a11350f4711b66dbf5e44475a012f2b77d";

    @Test
    void everyFieldThatMakesAPlanIncompatibleChangesTheKey() {
        PlanKey base = PlanKey.of(SHA, H100, "10.6.0", Precision.FP16, 32, 640, 640);
        List<PlanKey> variants = List.of(
                PlanKey.of("0" + SHA.substring(1), H100, "10.6.0", Precision.FP16, 32, 640, 640),
                PlanKey.of(SHA, new GpuInfo(0, "NVIDIA H200", "9.0", 141L << 30), "10.6.0", Precision.FP16, 32, 640, 640),
                PlanKey.of(SHA, new GpuInfo(0, "NVIDIA H100 80GB HBM3", "8.9", 80L << 30), "10.6.0", Precision.FP16, 32, 640, 640),
                PlanKey.of(SHA, H100, "10.7.0", Precision.FP16, 32, 640, 640),
                PlanKey.of(SHA, H100, "10.6.0", Precision.FP32, 32, 640, 640),
                PlanKey.of(SHA, H100, "10.6.0", Precision.FP16, 64, 640, 640),
                PlanKey.of(SHA, H100, "10.6.0", Precision.FP16, 32, 480, 640));
        for (PlanKey v : variants) {
            assertThat(v.digest()).as(v.canonical()).isNotEqualTo(base.digest());
            assertThat(v.fileName("yolo11n")).isNotEqualTo(base.fileName("yolo11n"));
        }
        assertThat(PlanKey.of(SHA, new GpuInfo(1, "NVIDIA H100 80GB HBM3", "9.0", 1), "10.6.0", Precision.FP16, 32, 640, 640))
                .as("device index and memory do not matter").isEqualTo(base);
        assertThat(base.fileName("yolo11n")).startsWith("yolo11n-fp16-b32-nvidia-h100-80gb-hbm3-sm90-trt10.6.0-")
                .endsWith(".engine");
        assertThat(base.timingCacheFileName()).isEqualTo("timing-sm90-trt10.6.0.cache");
    }

    @Test
    void int8KeysNameTheirCalibrationSoThatEntropyCalibratedPlansAreRebuilt() {
        PlanKey int8 = PlanKey.of(SHA, H100, "10.6.0", Precision.INT8, 32, 640, 640);
        // the key INT8 plans had while they were entropy-calibrated: the same fields without the calibration
        String entropyEra = String.join("|", SHA, "NVIDIA H100 80GB HBM3", "9.0", "10.6.0", "INT8", "1-32-32", "640x640");
        assertThat(int8.canonical()).isEqualTo(entropyEra + "|calib=minmax");
        assertThat(PlanKey.of(SHA, H100, "10.6.0", Precision.FP16, 32, 640, 640).canonical()).doesNotContain("calib");
    }

    @Test
    void nmsInThePlanAndItsThresholdsChangeTheKeyButPlansWithoutNmsKeepTheirOldKey() {
        PlanKey raw = PlanKey.of(SHA, H100, "10.6.0", Precision.FP16, 64, 640, 640);
        PlanKey nms = PlanKey.of(SHA, H100, "10.6.0", Precision.FP16, 64, 640, 640, PostprocessConfig.DEFAULT);
        PlanKey stricter = PlanKey.of(SHA, H100, "10.6.0", Precision.FP16, 64, 640, 640,
                PostprocessConfig.DEFAULT.withConfidence(0.5f));
        assertThat(raw.canonical()).doesNotContain("nms");
        assertThat(nms.canonical()).endsWith("|efficientnms-conf0.25-iou0.7-max300");
        assertThat(java.util.Set.of(raw.digest(), nms.digest(), stricter.digest())).hasSize(3);
        assertThat(nms.fileName("yolo11n")).startsWith("yolo11n-fp16-b64-nms-nvidia-h100");
        assertThat(raw.fileName("yolo11n")).startsWith("yolo11n-fp16-b64-nvidia-h100");
    }

    @Test
    void theHeadIsPartOfTheKeyButClassicKeysStayAsTheyWere() {
        PlanKey classic = PlanKey.of(SHA, H100, "10.6.0", Precision.FP16, 8, 640, 640);
        PlanKey explicitClassic = PlanKey.of(SHA, H100, "10.6.0", Precision.FP16, 8, 640, 640, null, DetectionHead.CLASSIC);
        PlanKey endToEnd = PlanKey.of(SHA, H100, "10.6.0", Precision.FP16, 1, 640, 640, null, DetectionHead.END_TO_END);
        // the canonical text and file name plans had before head types existed: caches stay valid
        assertThat(classic.canonical()).isEqualTo(SHA + "|NVIDIA H100 80GB HBM3|9.0|10.6.0|FP16|1-8-8|640x640");
        assertThat(explicitClassic).isEqualTo(classic);
        assertThat(explicitClassic.digest()).isEqualTo(classic.digest());
        assertThat(endToEnd.canonical()).endsWith("|1-1-1|640x640|head=end2end");
        assertThat(endToEnd.fileName("yolo26n")).startsWith("yolo26n-fp16-b1-end2end-nvidia-h100");
        assertThat(endToEnd.detectionHead()).isEqualTo(DetectionHead.END_TO_END);
        assertThatThrownBy(() -> PlanKey.of(SHA, H100, "10.6.0", Precision.FP16, 1, 640, 640, PostprocessConfig.DEFAULT,
                DetectionHead.END_TO_END)).hasMessageContaining("no NMS");
    }

    @Test
    void profilesAreDynamicBatchOneToMaxTunedForMax() {
        PlanKey key = PlanKey.of(SHA, H100, "10.6.0", Precision.FP32, 128, 640, 640);
        assertThat(List.of(key.minBatch(), key.optBatch(), key.maxBatch())).containsExactly(1, 128, 128);
        assertThatThrownBy(() -> new PlanKey(SHA, "g", "9.0", "10.6.0", Precision.FP32, 2, 1, 4, 640, 640, PlanKey.NO_NMS))
                .hasMessageContaining("1 <= min <= opt <= max");
        assertThatThrownBy(() -> new BuildOptions(Precision.INT8, 8, 0, -1, null, 4)).hasMessageContaining("--calib DIR");
        assertThatThrownBy(() -> new BuildOptions(Precision.FP16, 8, 0, 7, null, 4)).hasMessageContaining("0..5");
    }

    @Test
    void calibrationUsesFullBatchesOnlyAndSaysWhenDone() {
        CalibrationBatches<String> batches = new CalibrationBatches<>(List.of("a", "b", "c", "d", "e", "f", "g"), 3);
        assertThat(batches.count()).isEqualTo(2);
        assertThat(batches.leftOut()).isEqualTo(1);
        assertThat(batches.next()).containsExactly("a", "b", "c");
        assertThat(batches.next()).containsExactly("d", "e", "f");
        assertThat(batches.next()).isNull();
        assertThatThrownBy(() -> new CalibrationBatches<>(List.of("a"), 4)).hasMessageContaining("at least one batch of 4");
    }

    @Test
    void engineFilesCarryTheirMetadataAndRejectBarePlans(@TempDir Path dir) throws Exception {
        Map<String, String> header = new LinkedHashMap<>();
        header.put("names", "{0: 'person', 1: 'a=b: c'}");
        header.put("imgsz", "[640, 640]");
        header.put("precision", "FP16");
        byte[] plan = {1, 2, 3, 4, 5};
        Path file = dir.resolve("m.engine");
        new EngineFile(header, plan).write(file);

        EngineFile read = EngineFile.read(file);
        assertThat(read.header()).containsAllEntriesOf(header);
        assertThat(read.plan()).containsExactly(plan);

        assertThatThrownBy(() -> EngineFile.parse("ftrtPLANbytes-without-header".getBytes(StandardCharsets.UTF_8), "bare.engine"))
                .isInstanceOf(ModelException.class).hasMessageContaining("streamdetect export");
        byte[] headerOnly = java.util.Arrays.copyOf(new EngineFile(header, plan).toBytes(), new EngineFile(header, plan).toBytes().length - plan.length);
        assertThatThrownBy(() -> EngineFile.parse(headerOnly, "cut.engine")).hasMessageContaining("truncated");
    }

    @Test
    void thePlanCacheBuildsEachPlanOnceEvenWhenSlotsAskTogether(@TempDir Path dir) throws Exception {
        PlanCache cache = new PlanCache(dir);
        PlanKey key = PlanKey.of(SHA, H100, "10.6.0", Precision.FP16, 8, 640, 640);
        AtomicInteger builds = new AtomicInteger();
        ExecutorService slots = Executors.newFixedThreadPool(4);
        try {
            List<Future<EngineFile>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                results.add(slots.submit(() -> cache.getOrBuild(key, "yolo11n", () -> {
                    builds.incrementAndGet();
                    sleep();
                    return new EngineFile(Map.of("precision", "FP16"), new byte[] {9, 9});
                })));
            }
            for (Future<EngineFile> f : results) {
                assertThat(f.get().plan()).containsExactly(9, 9);
            }
        } finally {
            slots.shutdown();
        }
        assertThat(builds).hasValue(1);
        assertThat(cache.planFile(key, "yolo11n")).exists();
        cache.evict(key, "yolo11n");
        assertThat(cache.planFile(key, "yolo11n")).doesNotExist();
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
