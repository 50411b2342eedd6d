package io.streamdetect.model;

import java.util.Arrays;

/**
 * The shapes of a model's image input and first output as its ONNX graph declares them; a dimension that is
 * not fixed (a named or absent dimension, such as a dynamic batch) is {@code -1}. Empty arrays when unknown
 * (engine files, which carry no graph).
 */
public record GraphShapes(long[] input, long[] output) {
    public static final GraphShapes UNKNOWN = new GraphShapes(new long[0], new long[0]);

    public GraphShapes {
        input = input.clone();
        output = output.clone();
    }

    public boolean known() {
        return input.length > 0 && output.length > 0;
    }

    /** The batch size the graph fixes (Ultralytics' default export, {@code dynamic=False}), or 0 when it is dynamic. */
    public int fixedBatch() {
        return input.length > 0 && input[0] > 0 ? (int) input[0] : 0;
    }

    @Override
    public long[] input() {
        return input.clone();
    }

    @Override
    public long[] output() {
        return output.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GraphShapes g && Arrays.equals(input, g.input) && Arrays.equals(output, g.output);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(input) + Arrays.hashCode(output);
    }

    @Override
    public String toString() {
        return Arrays.toString(input) + " -> " + Arrays.toString(output);
    }
}
