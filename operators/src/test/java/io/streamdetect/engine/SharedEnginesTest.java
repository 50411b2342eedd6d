package io.streamdetect.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.streamdetect.testing.SharedFiles;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SharedEnginesTest {

    @Test
    void slotsShareOneEngineUntilTheLastLeaseCloses() {
        AtomicInteger opened = new AtomicInteger();
        SharedEngines engines = new SharedEngines(spec -> {
            opened.incrementAndGet();
            return Engines.open(spec);
        });
        EngineSpec spec = EngineSpec.onnxRuntime(SharedFiles.model(), 2);

        SharedEngines.Lease first = engines.acquire(spec);
        SharedEngines.Lease second = engines.acquire(EngineSpec.onnxRuntime(SharedFiles.model(), 2));
        assertThat(second.engine()).isSameAs(first.engine());
        assertThat(opened).hasValue(1);
        assertThat(engines.users(spec)).isEqualTo(2);

        first.close();
        first.close(); // closing twice counts once
        assertThat(engines.users(spec)).isEqualTo(1);
        try (EngineSession stillUsable = second.engine().openSession()) {
            assertThat(stillUsable.info().maxBatch()).isEqualTo(2);
        }
        second.close();
        assertThat(engines.users(spec)).isZero();

        try (SharedEngines.Lease again = engines.acquire(spec)) {
            assertThat(again.engine()).isNotSameAs(first.engine());
            assertThat(opened).hasValue(2);
        }
        SharedEngines.Lease other = engines.acquire(EngineSpec.onnxRuntime(SharedFiles.model(), 4));
        assertThat(opened).as("another batch size is another engine").hasValue(3);
        other.close();
    }
}
