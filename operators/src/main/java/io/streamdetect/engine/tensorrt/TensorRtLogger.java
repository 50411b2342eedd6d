package io.streamdetect.engine.tensorrt;

import org.bytedeco.tensorrt.nvinfer.ILogger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TensorRT's log, routed to SLF4J. Keeps the last error so that a failed build or deserialization can throw
 * with TensorRT's own reason. One instance lives as long as the JVM: TensorRT calls back into it.
 */
final class TensorRtLogger extends ILogger {
    static final TensorRtLogger INSTANCE = new TensorRtLogger();
    private static final Logger LOG = LoggerFactory.getLogger("io.streamdetect.tensorrt");

    private volatile String lastError;

    @Override
    public void log(Severity severity, String msg) {
        switch (severity) {
            case kINTERNAL_ERROR, kERROR -> {
                lastError = msg;
                LOG.error("TensorRT: {}", msg);
            }
            case kWARNING -> LOG.warn("TensorRT: {}", msg);
            case kINFO -> LOG.info("TensorRT: {}", msg);
            default -> LOG.debug("TensorRT: {}", msg);
        }
    }

    /** The last error TensorRT logged, then forgets it. */
    String takeLastError() {
        String e = lastError;
        lastError = null;
        return e == null ? "no error logged by TensorRT" : e;
    }
}
