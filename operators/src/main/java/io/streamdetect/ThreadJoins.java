package io.streamdetect;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Waiting for threads to stop, as a closing task does: bounded, and through Flink's interrupts of a cancel. */
public final class ThreadJoins {
    private ThreadJoins() {}

    /**
     * Waits up to {@code grace} for all of {@code threads} to stop, also when the calling thread is interrupted
     * (Flink interrupts the task thread on cancel); the interrupt flag is restored after.
     *
     * @return true if they all stopped in time
     */
    public static boolean join(Duration grace, List<Thread> threads) {
        long deadline = System.nanoTime() + grace.toNanos();
        boolean interrupted = false;
        try {
            for (Thread t : threads) {
                while (t.isAlive()) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    try {
                        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
            }
            return true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
