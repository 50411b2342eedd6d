package io.streamdetect.predict;

import io.streamdetect.decode.DecodeLimits;
import io.streamdetect.postprocess.PostprocessConfig;
import io.streamdetect.preprocess.Preprocessing;
import java.io.Serializable;

/**
 * Everything a {@link Predictor} needs besides the engine: decode limits, where pre-processing runs and
 * detection filtering.
 */
public record PredictorConfig(DecodeLimits limits, PostprocessConfig postprocess, Preprocessing preprocessing)
        implements Serializable {
    public static final PredictorConfig DEFAULT = new PredictorConfig(DecodeLimits.DEFAULT, PostprocessConfig.DEFAULT);

    public PredictorConfig(DecodeLimits limits, PostprocessConfig postprocess) {
        this(limits, postprocess, Preprocessing.CPU);
    }

    public PredictorConfig {
        java.util.Objects.requireNonNull(preprocessing, "preprocessing");
    }

    public PredictorConfig withPostprocess(PostprocessConfig p) {
        return new PredictorConfig(limits, p, preprocessing);
    }

    public PredictorConfig withPreprocessing(Preprocessing p) {
        return new PredictorConfig(limits, postprocess, p);
    }
}
