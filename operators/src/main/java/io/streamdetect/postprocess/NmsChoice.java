package io.streamdetect.postprocess;

import io.streamdetect.engine.Backend;
import io.streamdetect.model.DetectionHead;

/**
 * Where NMS runs for one engine, and why: {@link NmsPlacement#AUTO} resolved against the engine's backend and the
 * model's head, so the log can say it ("nms engine (auto: ...)"). The one rule for every place that picks a
 * TensorRT plan ({@code export}, {@code predict}, {@code eval}, {@code bench}, the streaming and SQL jobs), so that
 * {@code export} builds the very plan a job later looks up: NMS is part of a plan's key.
 *
 * @param chosen HOST or ENGINE, never AUTO
 * @param reason why, in words a user can act on
 */
public record NmsChoice(NmsPlacement chosen, String reason) {
    public NmsChoice {
        if (chosen == NmsPlacement.AUTO) {
            throw new IllegalArgumentException("a choice is host or engine, not auto");
        }
    }

    /**
     * @param requested what the settings ask for
     * @param backend   the engine's backend, resolved (not AUTO)
     * @param head      the model's detection head
     */
    public static NmsChoice resolve(NmsPlacement requested, Backend backend, DetectionHead head) {
        if (backend == Backend.AUTO) {
            throw new IllegalArgumentException("resolve the backend before the NMS placement");
        }
        return switch (requested) {
            case HOST -> new NmsChoice(NmsPlacement.HOST, "nms=host");
            case ENGINE -> new NmsChoice(NmsPlacement.ENGINE, "nms=engine");
            case AUTO -> {
                if (head == DetectionHead.END_TO_END) {
                    yield new NmsChoice(NmsPlacement.HOST, "auto: the end-to-end head returns final detections, "
                            + "there is no NMS to place");
                }
                yield backend == Backend.TENSORRT
                        ? new NmsChoice(NmsPlacement.ENGINE, "auto: TensorRT engine with a classic head, "
                                + "EfficientNMS in the plan so only detections leave the GPU")
                        : new NmsChoice(NmsPlacement.HOST, "auto: the " + backend.label() + " engine has no NMS of "
                                + "its own");
            }
        };
    }

    /** e.g. "engine (auto: TensorRT engine with a classic head, ...)". */
    public String describe() {
        return chosen.label() + " (" + reason + ")";
    }
}
