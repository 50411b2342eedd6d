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

    /**
     * A model file rewritten in place (model.watch) is another engine, and a slow opening (a TensorRT plan build
     * takes minutes) blocks only the slots that wait for that engine, not the others' acquire and release.
     */
    @Test
    void anotherVersionOfTheSameFileIsAnotherEngineAndASlowOpeningBlocksNobodyElse() throws Exception {
        java.util.concurrent.CountDownLatch building = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch finish = new java.util.concurrent.CountDownLatch(1);
        SharedEngines engines = new SharedEngines(spec -> {
            if (spec.maxBatch() == 4) { // the slow one
                building.countDown();
                try {
                    finish.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            return Engines.open(spec);
        });
        EngineSpec spec = EngineSpec.onnxRuntime(SharedFiles.model(), 2);
        try (SharedEngines.Lease plain = engines.acquire(spec);
             SharedEngines.Lease v1 = engines.acquire(spec, "sha-1");
             SharedEngines.Lease v1Again = engines.acquire(spec, "sha-1");
             SharedEngines.Lease v2 = engines.acquire(spec, "sha-2")) {
            assertThat(v1Again.engine()).isSameAs(v1.engine());
            assertThat(v1.engine()).isNotSameAs(plain.engine()).isNotSameAs(v2.engine());
            assertThat(engines.users(spec)).as("counted per version").isEqualTo(1);

            var slow = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> engines.acquire(EngineSpec.onnxRuntime(SharedFiles.model(), 4)));
            assertThat(building.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            var waiter = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> engines.acquire(EngineSpec.onnxRuntime(SharedFiles.model(), 4)));
            try (SharedEngines.Lease meanwhile = engines.acquire(EngineSpec.onnxRuntime(SharedFiles.model(), 1))) {
                assertThat(meanwhile.engine().info().maxBatch()).isEqualTo(1);
            }
            assertThat(slow).isNotDone();
            assertThat(waiter).isNotDone();
            finish.countDown();
            try (SharedEngines.Lease a = slow.get(30, java.util.concurrent.TimeUnit.SECONDS);
                 SharedEngines.Lease b = waiter.get(30, java.util.concurrent.TimeUnit.SECONDS)) {
                assertThat(b.engine()).as("the waiter got the engine the first one opened").isSameAs(a.engine());
            }
        }
    }

    @Test
    void aWaiterWhoseOpenerWasInterruptedOpensTheEngineItself() throws Exception {
        java.util.concurrent.CountDownLatch fail = new java.util.concurrent.CountDownLatch(1);
        AtomicInteger attempts = new AtomicInteger();
        SharedEngines engines = new SharedEngines(spec -> {
            if (attempts.incrementAndGet() == 1) { // the first opener's slot closes meanwhile: it is interrupted
                try {
                    fail.await();
                } catch (InterruptedException e) {
                    // fall through: interrupted either way
                }
                Thread.currentThread().interrupt();
                throw new IllegalStateException("reading the model was interrupted");
            }
            return Engines.open(spec);
        });
        EngineSpec spec = EngineSpec.onnxRuntime(SharedFiles.model(), 2);
        var opener = java.util.concurrent.CompletableFuture.runAsync(() -> engines.acquire(spec));
        while (engines.users(spec) < 1) { // the opener first: else the "waiter" may be the one that opens
            Thread.sleep(5);
        }
        var waiter = java.util.concurrent.CompletableFuture.supplyAsync(() -> engines.acquire(spec));
        while (engines.users(spec) < 2) { // both wait on the one opening
            Thread.sleep(5);
        }
        fail.countDown();
        try (SharedEngines.Lease lease = waiter.get(60, java.util.concurrent.TimeUnit.SECONDS)) {
            assertThat(lease.engine().info().maxBatch()).isEqualTo(2);
            assertThat(attempts).hasValue(2);
            assertThat(engines.users(spec)).isEqualTo(1);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(opener::join)
                .hasRootCauseMessage("reading the model was interrupted");
        assertThat(engines.users(spec)).isZero();
    }

    @Test
    void aFailedOpeningFailsItsWaitersAndTheNextAcquireTriesAgain() {
        AtomicInteger attempts = new AtomicInteger();
        SharedEngines engines = new SharedEngines(spec -> {
            if (attempts.incrementAndGet() == 1) {
                throw new IllegalArgumentException("corrupt model");
            }
            return Engines.open(spec);
        });
        EngineSpec spec = EngineSpec.onnxRuntime(SharedFiles.model(), 2);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> engines.acquire(spec, "x"))
                .hasMessage("corrupt model");
        assertThat(engines.users(spec)).isZero();
        try (SharedEngines.Lease lease = engines.acquire(spec, "x")) {
            assertThat(lease.engine().info().maxBatch()).isEqualTo(2);
        }
    }
}
