package io.streamdetect.engine.tensorrt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A directory of built plans named by {@link PlanKey}, and the timing cache beside them. A plan is built at
 * most once: slots of one JVM wait on an in-process lock, other processes (TaskManagers sharing the volume)
 * on a file lock, and whoever comes second finds the plan ready.
 */
public final class PlanCache {
    private static final Logger LOG = LoggerFactory.getLogger(PlanCache.class);
    private static final ConcurrentHashMap<Path, Object> JVM_LOCKS = new ConcurrentHashMap<>();

    private final Path dir;

    public PlanCache(Path dir) {
        this.dir = dir;
    }

    /** {@code $STREAMDETECT_ENGINE_CACHE}, else {@code ~/.cache/streamdetect/engines}. */
    public static PlanCache defaultCache() {
        String env = System.getenv("STREAMDETECT_ENGINE_CACHE");
        return new PlanCache(env != null && !env.isBlank() ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache", "streamdetect", "engines"));
    }

    public Path dir() {
        return dir;
    }

    public Path planFile(PlanKey key, String modelName) {
        return dir.resolve(key.fileName(modelName));
    }

    public Path timingCache(PlanKey key) {
        return dir.resolve(key.timingCacheFileName());
    }

    /** The cached engine file for {@code key}, built with {@code build} (and stored) if absent. */
    public EngineFile getOrBuild(PlanKey key, String modelName, Supplier<EngineFile> build) {
        Path file = planFile(key, modelName);
        synchronized (JVM_LOCKS.computeIfAbsent(file, f -> new Object())) {
            try {
                Files.createDirectories(dir);
                try (FileChannel channel = FileChannel.open(dir.resolve(file.getFileName() + ".lock"),
                        StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                     FileLock ignored = channel.lock()) {
                    if (Files.isRegularFile(file)) {
                        LOG.info("using cached plan {}", file);
                        return EngineFile.read(file);
                    }
                    EngineFile built = build.get();
                    built.write(file);
                    LOG.info("plan cached at {}", file);
                    return built;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("plan cache " + dir + ": " + e.getMessage(), e);
            }
        }
    }

    /** Removes a plan that TensorRT refused (corrupt, or from another TensorRT build), so it is rebuilt. */
    public void evict(PlanKey key, String modelName) {
        try {
            Files.deleteIfExists(planFile(key, modelName));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
