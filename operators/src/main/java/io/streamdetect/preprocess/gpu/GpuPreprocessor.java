package io.streamdetect.preprocess.gpu;

import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cudart.cudaStreamCreateWithFlags;
import static org.bytedeco.cuda.global.cudart.cudaStreamDestroy;
import static org.bytedeco.cuda.global.cudart.cudaStreamNonBlocking;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;

import io.streamdetect.PipelineException;
import io.streamdetect.Stage;
import io.streamdetect.TimedCount;
import io.streamdetect.cuda.Cuda;
import io.streamdetect.decode.DecodedImage;
import io.streamdetect.decode.ImageDecoder;
import io.streamdetect.engine.DeviceBatch;
import io.streamdetect.engine.EngineException;
import io.streamdetect.engine.InputBatch;
import io.streamdetect.preprocess.Letterbox;
import io.streamdetect.preprocess.LetterboxPreprocessor;
import io.streamdetect.records.ErrorKind;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pre-processing on the GPU: the compressed JPEG bytes of a batch go to the GPU, nvJPEG decodes them into
 * Y/Cb/Cr planes and one launch of the letterbox kernel upsamples, converts and letterboxes every image straight
 * into its slot of an engine input batch in GPU memory ({@link DeviceBatch}), with the CPU path's arithmetic. Images the
 * GPU path does not take ({@link JpegGpuSupport}) were letterboxed on the CPU into the host batch; their slots
 * are copied over. All of it runs on this preprocessor's own stream, so the next batch is decoded while the
 * session runs the current one.
 *
 * <p>If nvJPEG rejects a batch (a corrupt scan its header did not show), those images are decoded on the CPU
 * instead, so a bad image costs time, never the batch. Owns its decoder, kernel and stream; not thread-safe, one
 * per session.
 */
public final class GpuPreprocessor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GpuPreprocessor.class);

    private final int cudaDevice;
    private final CUstream_st stream = new CUstream_st();
    private final int imageBytes;
    private final NvJpegDecoder nvjpeg;
    private final LetterboxKernel kernel;
    private final LetterboxJobs jobs;
    private final ImageDecoder cpuDecoder;
    private final LetterboxPreprocessor cpuLetterbox;

    private static volatile Boolean nvJpegLoads;

    /** True when the nvJPEG natives load here (checked once per JVM); never throws. */
    public static boolean nvJpegLoads() {
        if (nvJpegLoads == null) {
            boolean ok;
            try {
                ok = Cuda.load() && org.bytedeco.javacpp.Loader.load(org.bytedeco.cuda.global.nvjpeg.class) != null;
            } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
                LOG.info("nvJPEG cannot be loaded: {}", e.toString());
                ok = false;
            }
            nvJpegLoads = ok;
        }
        return nvJpegLoads;
    }

    /** One slot of a batch to upload: a JPEG for the GPU, or null where the host batch already holds the image. */
    public record Slot(byte[] jpeg, Letterbox letterbox) {}

    /** Pre-processing on CUDA device {@code cudaDevice} into {@code width × height} inputs, up to {@code maxBatch}. */
    public GpuPreprocessor(int cudaDevice, int width, int height, int maxBatch, ImageDecoder cpuDecoder) {
        this.cudaDevice = cudaDevice;
        this.cpuLetterbox = new LetterboxPreprocessor(width, height);
        this.imageBytes = cpuLetterbox.imageSize() * Float.BYTES;
        this.cpuDecoder = cpuDecoder;
        Cuda.useDevice(cudaDevice);
        // its own stream, not the session's: the next batch is decoded while the session runs the current one
        Cuda.check(cudaStreamCreateWithFlags(stream, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
        NvJpegDecoder decoder = null;
        LetterboxJobs table = null;
        try {
            decoder = new NvJpegDecoder(maxBatch);
            table = new LetterboxJobs(maxBatch);
            this.kernel = new LetterboxKernel();
        } catch (RuntimeException | Error e) {
            if (table != null) {
                table.close();
            }
            if (decoder != null) {
                decoder.close();
            }
            cudaStreamDestroy(stream);
            throw e;
        }
        this.jobs = table;
        this.nvjpeg = decoder;
        LOG.info("GPU pre-processing on CUDA device {}: nvJPEG {} backend, letterbox kernel compiled with NVRTC",
                cudaDevice, nvjpeg.backend());
    }

    public String jpegBackend() {
        return nvjpeg.backend();
    }

    /** nvJPEG's re-initialisations for a new batch size so far, with their time; safe from any thread. */
    public TimedCount decoderInitializations() {
        return nvjpeg.initializations();
    }

    /**
     * Writes the first {@code count} slots into {@code target}: JPEG slots decoded and letterboxed on the GPU, the
     * others copied from {@code host}. Returns when the writes are complete, so any stream may read the batch.
     *
     * @return per slot, the error of an image that could be decoded neither on the GPU nor on the CPU (its slot
     *         then holds stale data and its result must be dropped); null entries for the rest
     */
    public PipelineException[] upload(InputBatch host, List<Slot> slots, int count, DeviceBatch target) {
        Cuda.setDevice(cudaDevice);
        PipelineException[] failures = new PipelineException[count];
        List<Integer> gpuSlots = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            Slot slot = slots.get(i);
            if (slot.jpeg() == null) {
                copyFromHost(host, i, target);
            } else if (nvjpegSeesTheSameSize(slot)) {
                gpuSlots.add(i);
            } else {
                failures[i] = decodeOnCpu(host, i, slot.jpeg(), target);
            }
        }
        if (!gpuSlots.isEmpty()) {
            try {
                decodeOnGpu(slots, gpuSlots, target);
            } catch (EngineException e) {
                LOG.warn("nvJPEG rejected a batch of {} images ({}); decoding them on the CPU", gpuSlots.size(), e.getMessage());
                for (int slot : gpuSlots) {
                    failures[slot] = decodeOnCpu(host, slot, slots.get(slot).jpeg(), target);
                }
            }
        }
        // Load-bearing beyond handing the batch over: nvJPEG's hardware decode writes its planes when it is called,
        // not after the work queued before it on its stream (reported on H100 for nvJPEG 12.3-13.2, torchcodec pull
        // request 1634), so the next batch's decode must not start while this batch's kernel may still read them.
        Cuda.check(cudaStreamSynchronize(stream), "cudaStreamSynchronize after GPU pre-processing");
        return failures;
    }

    /**
     * The slot's letterbox was made from the header our reader parsed, and the limits were checked against it. An
     * image nvJPEG parses to another size (a header crafted to be read two ways) would make nvJPEG allocate for a
     * size nobody checked, and the kernel read outside its planes: the CPU path decodes it instead, and refuses it
     * there if libjpeg disagrees with the header too.
     */
    private boolean nvjpegSeesTheSameSize(Slot slot) {
        int[] size = nvjpeg.imageSize(slot.jpeg());
        boolean same = size != null && size[0] == slot.letterbox().sourceWidth() && size[1] == slot.letterbox().sourceHeight();
        if (!same) {
            LOG.warn("nvJPEG reads a {} JPEG where its header was read as {}x{}; decoding it on the CPU",
                    size == null ? "unparsable" : size[0] + "x" + size[1], slot.letterbox().sourceWidth(),
                    slot.letterbox().sourceHeight());
        }
        return same;
    }

    private void decodeOnGpu(List<Slot> slots, List<Integer> gpuSlots, DeviceBatch target) {
        List<byte[]> jpegs = new ArrayList<>(gpuSlots.size());
        for (int slot : gpuSlots) {
            jpegs.add(slots.get(slot).jpeg());
        }
        DecodedPlanes[] planes = nvjpeg.decode(jpegs, stream);
        for (int k = 0; k < gpuSlots.size(); k++) {
            int slot = gpuSlots.get(k);
            jobs.set(k, planes[k], slots.get(slot).letterbox(), target.slotAddress(slot));
        }
        kernel.launch(jobs.upload(gpuSlots.size(), stream), gpuSlots.size(), cpuLetterbox.width(),
                cpuLetterbox.height(), stream);
    }

    private PipelineException decodeOnCpu(InputBatch host, int slot, byte[] jpeg, DeviceBatch target) {
        try (DecodedImage image = cpuDecoder.decode(jpeg)) {
            cpuLetterbox.process(image, host.floats(), slot);
        } catch (PipelineException e) {
            return e;
        } catch (RuntimeException e) {
            return new PipelineException(ErrorKind.DECODE_FAILED, Stage.PREPROCESS, "cannot letterbox: " + e.getMessage(), e);
        }
        copyFromHost(host, slot, target);
        return null;
    }

    private void copyFromHost(InputBatch host, int slot, DeviceBatch target) {
        long source = host.pointer().address() + (long) slot * imageBytes;
        Cuda.check(cudaMemcpyAsync(Cuda.at(target.slotAddress(slot)), Cuda.at(source), imageBytes,
                cudaMemcpyHostToDevice, stream), "input slot copy to the GPU");
    }

    @Override
    public void close() {
        kernel.close();
        jobs.close();
        nvjpeg.close();
        cudaStreamDestroy(stream);
    }
}
