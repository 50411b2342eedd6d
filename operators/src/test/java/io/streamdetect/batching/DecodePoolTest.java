package io.streamdetect.batching;

import static org.assertj.core.api.Assertions.assertThat;

import org.bytedeco.opencv.global.opencv_core;
import org.junit.jupiter.api.Test;

/** The TaskManager-wide decode pool: shared by its users, and the only thread pool decoding runs on. */
class DecodePoolTest {

    @Test
    void slotsShareOnePoolAndOpenCvsOwnThreadPoolIsOffOnceItExists() {
        opencv_core.setNumThreads(-1); // OpenCV's default: one thread per core
        DecodePool first = DecodePool.acquire(2);
        DecodePool second = DecodePool.acquire(2);
        try {
            assertThat(second).isSameAs(first);
            // one image per decode thread; OpenCV's pool would take one resize at a time and spin meanwhile
            assertThat(opencv_core.getNumThreads()).isEqualTo(1);
        } finally {
            DecodePool.release(second);
            DecodePool.release(first);
        }
    }
}
