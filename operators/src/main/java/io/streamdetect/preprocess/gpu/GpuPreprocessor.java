package io.streamdetect.preprocess.gpu;

import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;

import io.streamdetect.PipelineException;
import io.streamdetect.Stage;
import io.streamdetect.cuda.Cuda;
import io.streamdetect.decode.DecodedImage;
import io.streamdetect.decode.ImageDecoder;
import io.streamdetect.engine.DeviceInput;
import io.streamdetect.engine.EngineException;
import io.streamdetect.engine.InputBatch;
import io.streamdetect.preprocess.Letterbox;
import io.streamdetect.preprocess.LetterboxPreprocessor;
import io.streamdetect.records.ErrorKind;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pre-processing on the GPU: the compressed JPEG bytes of a batch go to the GPU, nvJPEG decodes them and the
 * letterbox kernel writes each straight into its slot of the engine's input ({@link DeviceInput}). Images the
 * GPU path does not take ({@link JpegGpuSupport}) were letterboxed on the CPU into the host batch; their slots
 * are copied over. Everything is queued on the session's stream, ahead of inference.
 *
 * <p>If nvJPEG rejects a batch (a corrupt scan its header did not show), those images are decoded on the CPU
 * instead, so a bad image costs time, never the batch. Owns its decoder and kernel; not thread-safe, one per
 * session.
 */
public final class GpuPreprocessor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GpuPreprocessor.class);

    private final DeviceInput target;
    private final int imageBytes;
    private final NvJpegDecoder nvjpeg;
    private final LetterboxKernel kernel;
    private final ImageDecoder cpuDecoder;
    private final LetterboxPreprocessor cpuLetterbox;

    /** One slot of a batch to upload: a JPEG for the GPU, or null where the host batch already holds the image. */
    public record Slot(byte[] jpeg, Letterbox letterbox) {}

    public GpuPreprocessor(DeviceInput target, int width, int height, int maxBatch, ImageDecoder cpuDecoder) {
        this.target = target;
        this.cpuLetterbox = new LetterboxPreprocessor(width, height);
        this.imageBytes = cpuLetterbox.imageSize() * Float.BYTES;
        this.cpuDecoder = cpuDecoder;
        Cuda.useDevice(target.cudaDevice());
        NvJpegDecoder decoder = new NvJpegDecoder(maxBatch);
        try {
            this.kernel = new LetterboxKernel();
        } catch (RuntimeException e) {
            decoder.close();
            throw e;
        }
        this.nvjpeg = decoder;
        LOG.info("GPU pre-processing on CUDA device {}: nvJPEG {} backend, letterbox kernel compiled with NVRTC",
                target.cudaDevice(), nvjpeg.backend());
    }

    public String jpegBackend() {
        return nvjpeg.backend();
    }

    /**
     * Queues the first {@code count} slots into the device input: JPEG slots decoded and letterboxed on the GPU,
     * the others copied from {@code host}.
     *
     * @return per slot, the error of an image that could be decoded neither on the GPU nor on the CPU (its slot
     *         then holds stale data and its result must be dropped); null entries for the rest
     */
    public PipelineException[] upload(InputBatch host, List<Slot> slots, int count) {
        Cuda.setDevice(target.cudaDevice());
        PipelineException[] failures = new PipelineException[count];
        List<Integer> gpuSlots = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (slots.get(i).jpeg() != null) {
                gpuSlots.add(i);
            } else {
                copyFromHost(host, i);
            }
        }
        if (!gpuSlots.isEmpty()) {
            try {
                decodeOnGpu(slots, gpuSlots);
            } catch (EngineException e) {
                LOG.warn("nvJPEG rejected a batch of {} images ({}); decoding them on the CPU", gpuSlots.size(), e.getMessage());
                for (int slot : gpuSlots) {
                    failures[slot] = decodeOnCpu(host, slot, slots.get(slot).jpeg());
                }
            }
        }
        return failures;
    }

    private void decodeOnGpu(List<Slot> slots, List<Integer> gpuSlots) {
        List<byte[]> jpegs = new ArrayList<>(gpuSlots.size());
        int[] widths = new int[gpuSlots.size()];
        int[] heights = new int[gpuSlots.size()];
        for (int k = 0; k < gpuSlots.size(); k++) {
            Slot slot = slots.get(gpuSlots.get(k));
            jpegs.add(slot.jpeg());
            widths[k] = slot.letterbox().sourceWidth();
            heights[k] = slot.letterbox().sourceHeight();
        }
        long[] rgb = nvjpeg.decode(jpegs, widths, heights, target.stream());
        for (int k = 0; k < gpuSlots.size(); k++) {
            int slot = gpuSlots.get(k);
            kernel.launch(rgb[k], 3 * widths[k], slots.get(slot).letterbox(), target.slotAddress(slot), target.stream());
        }
    }

    private PipelineException decodeOnCpu(InputBatch host, int slot, byte[] jpeg) {
        try (DecodedImage image = cpuDecoder.decode(jpeg)) {
            cpuLetterbox.process(image, host.floats(), slot);
        } catch (PipelineException e) {
            return e;
        } catch (RuntimeException e) {
            return new PipelineException(ErrorKind.DECODE_FAILED, Stage.PREPROCESS, "cannot letterbox: " + e.getMessage(), e);
        }
        copyFromHost(host, slot);
        return null;
    }

    private void copyFromHost(InputBatch host, int slot) {
        long source = host.pointer().address() + (long) slot * imageBytes;
        Cuda.check(cudaMemcpyAsync(Cuda.at(target.slotAddress(slot)), Cuda.at(source), imageBytes,
                cudaMemcpyHostToDevice, target.stream()), "input slot copy to the GPU");
    }

    @Override
    public void close() {
        kernel.close();
        nvjpeg.close();
    }
}
