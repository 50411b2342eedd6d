package io.streamdetect.engine.onnxruntime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.streamdetect.engine.EngineException;
import io.streamdetect.engine.EngineSession;
import io.streamdetect.engine.EngineSpec;
import io.streamdetect.engine.Engines;
import io.streamdetect.engine.InferenceEngine;
import io.streamdetect.engine.InputBatch;
import io.streamdetect.model.OnnxModelFile;
import io.streamdetect.testing.SharedFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A TaskManager stopped with SIGTERM while its slots run the model on ONNX Runtime: the JVM must exit as a JVM
 * does on SIGTERM (status 143), not crash in native code. Before the fix it did: the JVM's exit runs ONNX Runtime's
 * C++ static destructors while a daemon thread is still inside {@code OrtSession.run} (SIGSEGV in
 * libonnxruntime.so, an hs_err file; session 12 saw it twice from a streaming job stopped by `timeout`).
 */
class ShutdownWhileRunningTest {

    @Test
    void sigtermWhileThreadsRunTheModelExitsWithoutACrash(@TempDir Path dir) throws Exception {
        for (int round = 0; round < 3; round++) { // without the guard, round 0 crashed 3 times of 3
            Path log = dir.resolve("child-" + round + ".log");
            Process child = new ProcessBuilder(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx512m", "-XX:ErrorFile=" + dir.resolve("hs_err_%p.log"),
                    "-cp", System.getProperty("java.class.path"),
                    RunsUntilStopped.class.getName(), SharedFiles.model().toString(), SharedFiles.busJpg().toString(),
                    "4", "8")) // 4 threads, batches of 8
                    .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(log).contains("running\n") && child.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(Files.readString(log)).as("the child started its runs").contains("running\n");
            Thread.sleep(100L * round); // land the signal at another moment of the runs each time
            child.destroy(); // SIGTERM
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the child exits").isTrue();
            String output = Files.readString(log);
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files.map(Path::getFileName).map(Path::toString).filter(n -> n.startsWith("hs_err")))
                        .as("no JVM crash report; output:%n%s", output).isEmpty();
            }
            assertThat(child.exitValue()).as("exit status on SIGTERM; output:%n%s", output).isEqualTo(143);
        }
    }

    @Test
    void theHookIsRegisteredOnlyWhileAnEngineIsOpen() {
        ShutdownGuard guard = ShutdownGuard.instance();
        boolean before = guard.hooked(); // another test's engine may be open
        InferenceEngine first = Engines.open(EngineSpec.onnxRuntime(SharedFiles.model(), 1));
        assertThat(guard.hooked()).isTrue();
        InferenceEngine second = Engines.open(EngineSpec.onnxRuntime(SharedFiles.model(), 1));
        first.close();
        first.close(); // a second close changes nothing
        assertThat(guard.hooked()).as("one engine still open").isTrue();
        second.close();
        assertThat(guard.hooked()).as("a hook left behind would keep the job's class loader alive").isEqualTo(before);
        try (InferenceEngine again = Engines.open(EngineSpec.onnxRuntime(SharedFiles.model(), 1))) {
            assertThat(guard.hooked()).as("the same hook registered again").isTrue();
        }
    }

    /**
     * The hook's own steps, in this JVM, on a guard of the test's (not the JVM's): a run in progress ends well before
     * it would have finished (ONNX Runtime honours the terminate flag between nodes), and the next run is refused.
     */
    @Test
    void stoppingEndsTheRunInProgressAndRefusesTheNext() throws Exception {
        ShutdownGuard guard = new ShutdownGuard(false);
        OnnxRuntimeEngine engine = OnnxRuntimeEngine.open(OnnxModelFile.read(SharedFiles.model()),
                EngineSpec.onnxRuntime(SharedFiles.model(), 8), guard);
        try (EngineSession session = engine.openSession(); InputBatch input = session.newInputBatch()) {
            session.run(input, 8); // warm-up
            long start = System.nanoTime();
            session.run(input, 8);
            long runNanos = System.nanoTime() - start;
            CompletableFuture<Throwable> ended = new CompletableFuture<>();
            CountDownLatch running = new CountDownLatch(1);
            Thread runner = new Thread(() -> {
                try {
                    while (true) { // back to back: at any moment a run is in progress
                        running.countDown();
                        session.run(input, 8);
                    }
                } catch (Throwable e) {
                    ended.complete(e);
                }
            }, "runner");
            runner.start();
            running.await();
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(runNanos) / 4);
            long stop = System.nanoTime();
            assertThat(guard.stopCalls()).as("nothing left in progress").isTrue();
            long stopNanos = System.nanoTime() - stop;
            assertThat(ended.get(30, TimeUnit.SECONDS)).isInstanceOf(EngineException.class)
                    .hasMessageContaining("run stopped: the JVM is shutting down");
            assertThat(stopNanos).as("stopped within the run (%d ms a run), not at its end",
                    TimeUnit.NANOSECONDS.toMillis(runNanos)).isLessThan(runNanos / 2);
            assertThatThrownBy(() -> session.run(input, 8)).hasMessageContaining("run refused");
            assertThatThrownBy(() -> OnnxRuntimeEngine.open(OnnxModelFile.read(SharedFiles.model()),
                    EngineSpec.onnxRuntime(SharedFiles.model(), 1), guard)).hasMessageContaining("engine refused");
        } finally {
            engine.close(); // the native session is left to the JVM's end, as in a real shutdown
        }
    }
}
