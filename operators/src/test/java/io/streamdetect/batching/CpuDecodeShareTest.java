package io.streamdetect.batching;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CpuDecodeShareTest {
    private static final long ON_TIME = 0;
    private static final long LATE = CpuDecodeShare.LATE_NANOS + 1;

    @Test
    void growsByOneImagePerBatchTheCpuKeptUpWithUpToItsLimit() {
        CpuDecodeShare share = new CpuDecodeShare(3);
        assertThat(share.imagesForNextBatch()).isEqualTo(1);
        for (int expected : new int[] {2, 3, 3, 3}) {
            share.batchUploaded(share.imagesForNextBatch(), ON_TIME);
            assertThat(share.imagesForNextBatch()).isEqualTo(expected);
        }
        assertThat(share.imagesAssisted()).isEqualTo(1 + 2 + 3 + 3);
    }

    @Test
    void backsOffFasterThanItGrowsAndProbesAgainAfterAWhileAtZero() {
        CpuDecodeShare share = new CpuDecodeShare(8);
        for (int i = 0; i < 4; i++) {
            share.batchUploaded(share.imagesForNextBatch(), ON_TIME);
        }
        assertThat(share.imagesForNextBatch()).isEqualTo(5);
        share.batchUploaded(5, LATE);
        assertThat(share.imagesForNextBatch()).isEqualTo(5 - CpuDecodeShare.BACK_OFF);
        share.batchUploaded(3, LATE);
        share.batchUploaded(1, LATE);
        assertThat(share.imagesForNextBatch()).isZero();
        for (int i = 1; i < CpuDecodeShare.PROBE_AFTER; i++) {
            share.batchUploaded(0, ON_TIME);
        }
        assertThat(share.imagesForNextBatch()).as("still resting").isZero();
        share.batchUploaded(0, ON_TIME);
        assertThat(share.imagesForNextBatch()).as("probing again").isEqualTo(1);
        assertThat(share.summary()).contains("3 batches waited for them", "share now 1", "up to 8");
    }

    @Test
    void offWithoutGpuPreprocessingWithoutAPoolOrWhenTurnedOff() {
        assertThat(CpuDecodeShare.forBatcher(true, true, 16, 64).imagesForNextBatch()).isEqualTo(1);
        assertThat(CpuDecodeShare.forBatcher(true, true, 16, 64).summary()).contains("no full batch");
        assertThat(CpuDecodeShare.forBatcher(false, true, 16, 64).enabled()).isFalse();
        assertThat(CpuDecodeShare.forBatcher(true, false, 16, 64).enabled()).isFalse();
        assertThat(CpuDecodeShare.forBatcher(true, true, 1, 64).enabled()).isFalse();
        CpuDecodeShare off = CpuDecodeShare.forBatcher(true, true, 16, 1); // half of a batch of one is no image
        assertThat(off.enabled()).isFalse();
        assertThat(off.imagesForNextBatch()).isZero();
        off.batchUploaded(0, ON_TIME);
        assertThat(off.imagesForNextBatch()).isZero();
    }

    @Test
    void atMostOneImagePerPoolThreadButOneAndHalfABatch() {
        CpuDecodeShare share = CpuDecodeShare.forBatcher(true, true, 4, 64);
        for (int i = 0; i < 10; i++) {
            share.batchUploaded(share.imagesForNextBatch(), ON_TIME);
        }
        assertThat(share.imagesForNextBatch()).isEqualTo(3);
        CpuDecodeShare halfBatch = CpuDecodeShare.forBatcher(true, true, 64, 8);
        for (int i = 0; i < 10; i++) {
            halfBatch.batchUploaded(halfBatch.imagesForNextBatch(), ON_TIME);
        }
        assertThat(halfBatch.imagesForNextBatch()).isEqualTo(4);
    }
}
