package io.streamdetect.preprocess.gpu;

import static org.bytedeco.cuda.global.cudart.cuCtxCreate;
import static org.bytedeco.cuda.global.cudart.cuCtxDestroy;
import static org.bytedeco.cuda.global.cudart.cuCtxGetCurrent;
import static org.bytedeco.cuda.global.cudart.cuCtxPopCurrent;
import static org.bytedeco.cuda.global.cudart.cuCtxPushCurrent;
import static org.bytedeco.cuda.global.cudart.cuDeviceGet;
import static org.bytedeco.cuda.global.cudart.cuMemcpyPeerAsync;

import io.streamdetect.cuda.Cuda;
import org.bytedeco.cuda.cudart.CUctx_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where nvJPEG runs: in the device's primary CUDA context beside the engine ({@code shared}, the default), or in a
 * context of its own ({@code own}, an experiment: {@code -Dstreamdetect.nvjpeg.context=own}).
 *
 * <p>Why the experiment: {@code nvjpegDecodeBatched} waits for the GPU work already queued in its context, and
 * also for work queued while it decodes, so in one context the decode of the next batch and the engine run of the
 * current one take turns (docs/benchmarks.md, session 4: 0.71× of compute-only end to end on an H200). A
 * context-wide wait does not see another context's work. In a context of its own, nvJPEG decodes into its own
 * memory; the planes are then copied into the primary context ({@link #copyToPrimary}, a device-to-device copy of
 * about 0.5 MB per image) where the letterbox kernel reads them. Not measured on a GPU yet: whether the JPEG
 * engines of one context run beside the SMs of another, and what the copy and the context switches cost, are
 * what {@code scripts/gpu/nvjpeg-context.sh} measures.
 *
 * <p>Owns the extra context and destroys it on {@link #close}; its users must have freed what they allocated in it
 * first. Entering is per thread ({@link #enter}); safe from any thread.
 */
final class JpegContext implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JpegContext.class);

    /** System property: {@code shared} (default) or {@code own}. */
    static final String PROPERTY = "streamdetect.nvjpeg.context";

    /** A scope in which nvJPEG's context is current; closing it makes the previous one current again. */
    interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    private static final Scope NOTHING = () -> {};

    private final CUctx_st primary;
    private final CUctx_st own; // null: nvJPEG shares the primary context

    private JpegContext(CUctx_st primary, CUctx_st own) {
        this.primary = primary;
        this.own = own;
    }

    /** The context the property asks for, on {@code device}, whose primary context must be current. */
    static JpegContext open(int device) {
        String setting = System.getProperty(PROPERTY, "shared");
        if (!"own".equalsIgnoreCase(setting)) {
            if (!"shared".equalsIgnoreCase(setting)) {
                LOG.warn("-D{}={} is neither shared nor own: nvJPEG shares the engine's context", PROPERTY, setting);
            }
            return new JpegContext(null, null);
        }
        CUctx_st primary = new CUctx_st();
        Cuda.checkDriver(cuCtxGetCurrent(primary), "cuCtxGetCurrent");
        int[] handle = {0};
        Cuda.checkDriver(cuDeviceGet(handle, device), "cuDeviceGet(" + device + ")");
        CUctx_st own = new CUctx_st();
        Cuda.checkDriver(cuCtxCreate(own, 0, handle[0]), "cuCtxCreate for nvJPEG"); // pushes it on this thread
        Cuda.checkDriver(cuCtxPopCurrent(new CUctx_st()), "cuCtxPopCurrent after cuCtxCreate");
        LOG.warn("nvJPEG runs in a CUDA context of its own on device {} (-D{}=own, an experiment)", device, PROPERTY);
        return new JpegContext(primary, own);
    }

    /** Whether nvJPEG has a context of its own, so that its memory must be copied before the engine's side reads it. */
    boolean separate() {
        return own != null;
    }

    /** Makes nvJPEG's context current on this thread until the scope closes; nothing to do when it is shared. */
    Scope enter() {
        if (own == null) {
            return NOTHING;
        }
        Cuda.checkDriver(cuCtxPushCurrent(own), "cuCtxPushCurrent for nvJPEG");
        return () -> Cuda.checkDriver(cuCtxPopCurrent(new CUctx_st()), "cuCtxPopCurrent after nvJPEG");
    }

    /**
     * Queues a copy of {@code bytes} from nvJPEG's context at {@code source} to the primary context at {@code target},
     * on {@code stream} (a primary-context stream: the kernel queued after it reads the copy).
     */
    void copyToPrimary(long target, long source, long bytes, CUstream_st stream) {
        Cuda.checkDriver(cuMemcpyPeerAsync(target, primary, source, own, bytes, stream), "cuMemcpyPeerAsync of decoded planes");
    }

    @Override
    public void close() {
        if (own != null && !own.isNull()) {
            cuCtxDestroy(own);
            own.setNull();
        }
    }
}
