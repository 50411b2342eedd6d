package io.streamdetect.predict;

import io.streamdetect.decode.DecodeLimits;
import io.streamdetect.postprocess.PostprocessConfig;
import java.io.Serializable;

/** Everything a {@link Predictor} needs besides the engine: decode limits and detection filtering. */
public record PredictorConfig(DecodeLimits limits, PostprocessConfig postprocess) implements Serializable {
    public static final PredictorConfig DEFAULT = new PredictorConfig(DecodeLimits.DEFAULT, PostprocessConfig.DEFAULT);

    public PredictorConfig withPostprocess(PostprocessConfig p) {
        return new PredictorConfig(limits, p);
    }
}
