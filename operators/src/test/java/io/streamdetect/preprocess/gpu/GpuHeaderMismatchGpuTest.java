package io.streamdetect.preprocess.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.cuda.global.cudart.cudaMemcpy;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.streamdetect.cuda.Cuda;
import io.streamdetect.decode.DecodeLimits;
import io.streamdetect.decode.DecodedImage;
import io.streamdetect.decode.ImageDecoder;
import io.streamdetect.engine.Backend;
import io.streamdetect.engine.DeviceBatch;
import io.streamdetect.engine.EngineSession;
import io.streamdetect.engine.EngineSpec;
import io.streamdetect.engine.Engines;
import io.streamdetect.engine.InferenceEngine;
import io.streamdetect.engine.InputBatch;
import io.streamdetect.engine.Precision;
import io.streamdetect.engine.tensorrt.TensorRt;
import io.streamdetect.postprocess.PostprocessConfig;
import io.streamdetect.preprocess.Letterbox;
import io.streamdetect.preprocess.LetterboxPreprocessor;
import io.streamdetect.testing.SharedFiles;
import io.streamdetect.testing.TestImages;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, GPU part: a JPEG whose letterbox was made for another size than nvJPEG parses (a header read two
 * ways) is decoded on the CPU, not letterboxed by the kernel outside its planes. The boxes claim a 640x480 image
 * (the kernel's copy path) and a 1280x960 one (its 2x path) for a 320x240 JPEG; the slots must hold exactly the
 * CPU path's letterbox of the real image. Tagged {@code gpu}; skips where no GPU is visible. Uses the plan
 * {@link GpuPipelineGpuTest} uses (same model, precision, batch and NMS), so the cache already holds it.
 */
@Tag("gpu")
class GpuHeaderMismatchGpuTest {
    private static final int MAX_BATCH = Integer.getInteger("streamdetect.test.maxBatch", 8);
    private static final Precision PRECISION = Precision.parse(System.getProperty("streamdetect.test.precision", "fp16"));

    @Test
    void aJpegNvJpegReadsAtAnotherSizeGoesToTheCpu() {
        assumeTrue(TensorRt.available(), "no CUDA GPU with TensorRT natives here: GPU test skipped");
        byte[] jpeg = busAt(320, 240);
        EngineSpec spec = new EngineSpec(SharedFiles.model().toString(), Backend.TENSORRT, PRECISION, MAX_BATCH, 0)
                .withEngineNms(PostprocessConfig.DEFAULT);
        try (InferenceEngine engine = Engines.open(spec)) {
            int w = engine.info().inputWidth();
            int h = engine.info().inputHeight();
            ImageDecoder decoder = new ImageDecoder(DecodeLimits.DEFAULT);
            LetterboxPreprocessor cpu = new LetterboxPreprocessor(w, h);
            List<GpuPreprocessor.Slot> slots = List.of(
                    new GpuPreprocessor.Slot(jpeg, Letterbox.of(320, 240, w, h)), // true size: the GPU decodes it
                    new GpuPreprocessor.Slot(jpeg, Letterbox.of(640, 480, w, h)), // copy path's box
                    new GpuPreprocessor.Slot(jpeg, Letterbox.of(1280, 960, w, h))); // 2x path's box
            assertThat(LetterboxJobs.mode(slots.get(1).letterbox())).isEqualTo(LetterboxJobs.MODE_COPY);
            assertThat(LetterboxJobs.mode(slots.get(2).letterbox())).isEqualTo(LetterboxJobs.MODE_AREA2);
            try (EngineSession session = engine.openSession();
                 InputBatch host = session.newInputBatch();
                 DeviceBatch device = session.deviceInput().orElseThrow().newDeviceBatch();
                 GpuPreprocessor gpu = new GpuPreprocessor(0, w, h, MAX_BATCH, decoder);
                 FloatPointer copied = new FloatPointer(cpu.imageSize());
                 FloatPointer expected = new FloatPointer(cpu.imageSize())) {
                assertThat(gpu.upload(host, slots, slots.size(), device)).containsOnlyNulls();
                try (DecodedImage image = decoder.decode(jpeg)) {
                    cpu.process(image, expected.asBuffer(), 0);
                }
                for (int slot = 0; slot < slots.size(); slot++) {
                    Cuda.check(cudaMemcpy(copied, Cuda.at(device.slotAddress(slot)), (long) cpu.imageSize() * Float.BYTES,
                            cudaMemcpyDeviceToHost), "copy back");
                    double sum = 0;
                    int differing = 0;
                    for (int i = 0; i < cpu.imageSize(); i++) {
                        float d = Math.abs(copied.get(i) - expected.get(i));
                        sum += d;
                        differing += d == 0 ? 0 : 1;
                    }
                    if (slot == 0) { // nvJPEG and the kernel: bit-identical on the hardware decoder, close elsewhere
                        assertThat(sum / cpu.imageSize()).as("mean |diff| of the slot the GPU decoded").isLessThan(0.5 / 255);
                    } else { // decoded on the CPU: exactly the CPU path's input
                        assertThat(differing).as("values of slot %d (box for %dx%d) off the CPU letterbox of the real image",
                                slot, slots.get(slot).letterbox().sourceWidth(), slots.get(slot).letterbox().sourceHeight())
                                .isZero();
                    }
                }
            }
        }
    }

    private static byte[] busAt(int width, int height) {
        byte[] bus = TestImages.bus();
        try (Mat source = imdecode(new Mat(new BytePointer(bus)), IMREAD_COLOR); Mat resized = new Mat();
             Size size = new Size(width, height); BytePointer encoded = new BytePointer()) {
            resize(source, resized, size);
            imencode(".jpg", resized, encoded);
            byte[] out = new byte[(int) encoded.limit()];
            encoded.get(out);
            return out;
        }
    }
}
