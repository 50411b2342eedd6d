package io.streamdetect.cli;

import io.streamdetect.TimedCount;
import io.streamdetect.batching.BatchStageTimes;
import io.streamdetect.batching.MicroBatcher;
import io.streamdetect.predict.Predictor;

/**
 * Where one benchmark slot's time went, at one moment: its micro-batcher's stage times, its engine session's CUDA
 * graph captures and, with GPU pre-processing, nvJPEG's re-initialisations for new batch sizes. The difference of
 * two snapshots is the window between them; sums add windows of several runs or streams.
 */
record SlotCosts(BatchStageTimes stages, TimedCount graphCaptures, TimedCount nvJpegInits) {
    static final SlotCosts ZERO = new SlotCosts(BatchStageTimes.ZERO, TimedCount.NONE, TimedCount.NONE);

    static SlotCosts of(MicroBatcher<?> batcher, Predictor predictor) {
        return new SlotCosts(batcher.stageTimes(), predictor.session().graphCaptures(), predictor.nvJpegInitializations());
    }

    SlotCosts minus(SlotCosts earlier) {
        return new SlotCosts(stages.minus(earlier.stages), graphCaptures.minus(earlier.graphCaptures),
                nvJpegInits.minus(earlier.nvJpegInits));
    }

    SlotCosts plus(SlotCosts other) {
        return new SlotCosts(stages.plus(other.stages), graphCaptures.plus(other.graphCaptures),
                nvJpegInits.plus(other.nvJpegInits));
    }
}
