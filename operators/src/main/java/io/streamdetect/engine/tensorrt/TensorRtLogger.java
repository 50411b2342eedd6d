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

    /**
     * Switches on {@code severity.value}: JavaCPP passes a new Severity instance whose ordinal is always 0, so a
     * switch on the enum itself would call every message an internal error.
     */
    @Override
    public void log(Severity severity, String msg) {
        int level = severity.value;
        if (level <= Severity.kERROR.value) {
            lastError = msg;
            LOG.error("TensorRT: {}", msg);
        } else if (level == Severity.kWARNING.value) {
            LOG.warn("TensorRT: {}", msg);
        } else if (level == Severity.kINFO.value) {
            LOG.info("TensorRT: {}", msg);
        } else {
            LOG.debug("TensorRT: {}", msg);
        }
    }

    /** The last error TensorRT logged, then forgets it. */
    String takeLastError() {
        String e = lastError;
        lastError = null;
        return e == null ? "no error logged by TensorRT" : e;
    }
}
