package io.streamdetect;

import java.util.Locale;

/** The stages a record passes through, in order; named in dead letters. */
public enum Stage {
    /** Reading the input itself: a file that cannot be read, or is too large to read. */
    READ,
    DESERIALIZE, DECODE, PREPROCESS, ENGINE, POSTPROCESS;

    /** Lower-case name, as written to {@code DeadLetter.stage}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
