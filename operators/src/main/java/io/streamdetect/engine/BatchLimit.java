package io.streamdetect.engine;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batch size an engine runs at. Ultralytics exports models with the batch fixed at 1 by default
 * ({@code dynamic=False}); such a model takes exactly that many images per call, so the engine's largest batch
 * is the model's, whatever was asked, and micro-batches are capped to it ({@code MicroBatcher} takes the
 * smaller of its setting and the engine's). Saying so once per model and requested size keeps logs readable
 * when every task slot opens the same model.
 */
public final class BatchLimit {
    private static final Logger LOG = LoggerFactory.getLogger(BatchLimit.class);
    private static final Set<String> SAID = ConcurrentHashMap.newKeySet();

    private BatchLimit() {}

    /**
     * @param fixedBatch the model's fixed batch size, or 0 when its batch is dynamic
     * @param requested  the largest batch asked for (--max-batch, batch.max-size)
     * @return the largest batch the engine will run
     */
    public static int of(String model, int fixedBatch, int requested) {
        if (fixedBatch <= 0) {
            return requested;
        }
        if (fixedBatch != requested && SAID.add(model + "|" + fixedBatch + "|" + requested)) {
            LOG.warn("{} has a fixed batch size of {}: it runs {} image(s) per call, not up to {}, and micro-batches "
                    + "are capped to {}. To batch more, export it with a dynamic batch: "
                    + "yolo export model=... format=onnx dynamic=True", model, fixedBatch, fixedBatch, requested,
                    fixedBatch);
        }
        return fixedBatch;
    }
}
