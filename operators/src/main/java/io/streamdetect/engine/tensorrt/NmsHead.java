package io.streamdetect.engine.tensorrt;

import static org.bytedeco.tensorrt.global.nvinfer.getPluginRegistry;

import io.streamdetect.cuda.Cuda;
import io.streamdetect.engine.EngineException;
import io.streamdetect.postprocess.PostprocessConfig;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.tensorrt.global.nvinfer.DataType;
import org.bytedeco.tensorrt.global.nvinfer.ElementWiseOperation;
import org.bytedeco.tensorrt.global.nvinfer.PluginFieldType;
import org.bytedeco.tensorrt.global.nvinfer.ReduceOperation;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.INetworkDefinition;
import org.bytedeco.tensorrt.nvinfer.IPluginCreator;
import org.bytedeco.tensorrt.nvinfer.IPluginV2;
import org.bytedeco.tensorrt.nvinfer.IPluginV2Layer;
import org.bytedeco.tensorrt.nvinfer.ITensor;
import org.bytedeco.tensorrt.nvinfer.Permutation;
import org.bytedeco.tensorrt.nvinfer.PluginField;
import org.bytedeco.tensorrt.nvinfer.PluginFieldCollection;

/**
 * Appends YOLO post-processing to a parsed network, so a plan returns at most {@code maxDetections} boxes per
 * image instead of the raw {@code [B, 4 + classes, anchors]} tensor (2.7 MB per image for YOLO11n):
 * <pre>
 * raw [B,4+C,N] -> transpose [B,N,4+C] -> boxes [B,N,4] (cx,cy,w,h)
 *                                      -> scores [B,N,C] -> keep each anchor's best class only -> EfficientNMS_TRT
 * -> num_detections [B,1] int32, detections [B,max,6] float (x1, y1, x2, y2, score, class)
 * </pre>
 * Keeping only the best class per anchor is what Ultralytics' NMS does (one label per box); EfficientNMS alone
 * would keep every class above the threshold. Its NMS is class-wise, like Ultralytics'. Thresholds become part of
 * the plan (see {@link PlanKey}).
 */
final class NmsHead {
    static final String COUNT = "num_detections";
    static final String DETECTIONS = "detections";
    /** Fields of a detection row: x1, y1, x2, y2 (input pixels), score, class. */
    static final int FIELDS = 6;

    private NmsHead() {}

    static void append(INetworkDefinition network, PostprocessConfig config) {
        ITensor raw = network.getOutput(0);
        Dims64 shape = raw.getDimensions();
        if (network.getNbOutputs() != 1 || shape.nbDims() != 3 || shape.d(1) < 5) {
            throw new EngineException("NMS in the engine needs YOLO's single [batch, 4 + classes, anchors] output");
        }
        int classes = (int) shape.d(1) - 4;
        network.unmarkOutput(raw);

        var transpose = network.addShuffle(raw);
        try (Permutation order = new Permutation()) {
            transpose.setFirstTranspose(order.order(0, 0).order(1, 2).order(2, 1));
        }
        ITensor anchors = transpose.getOutput(0);
        ITensor boxes = lastAxisSlice(network, anchors, 0, 4);
        ITensor scores = lastAxisSlice(network, anchors, 4, classes);
        ITensor best = network.addReduce(scores, ReduceOperation.kMAX, 1 << 2, true).getOutput(0);
        ITensor isBest = network.addElementWise(scores, best, ElementWiseOperation.kEQUAL).getOutput(0);
        ITensor mask = network.addCast(isBest, DataType.kFLOAT).getOutput(0);
        ITensor bestOnly = network.addElementWise(scores, mask, ElementWiseOperation.kPROD).getOutput(0);

        IPluginV2Layer nms;
        try (PointerPointer<ITensor> inputs = new PointerPointer<>(boxes, bestOnly)) {
            nms = network.addPluginV2(inputs, 2, efficientNms(config));
        }
        if (nms == null || nms.isNull()) {
            throw new EngineException("TensorRT refused the EfficientNMS layer: " + TensorRtLogger.INSTANCE.takeLastError());
        }
        nms.setName("streamdetect_nms");
        ITensor count = nms.getOutput(0);
        ITensor nmsScores = column(network, nms.getOutput(2), config.maxDetections());
        ITensor nmsClasses = column(network, network.addCast(nms.getOutput(3), DataType.kFLOAT).getOutput(0),
                config.maxDetections());
        ITensor detections;
        try (PointerPointer<ITensor> parts = new PointerPointer<>(nms.getOutput(1), nmsScores, nmsClasses)) {
            var concat = network.addConcatenation(parts, 3);
            concat.setAxis(2);
            detections = concat.getOutput(0);
        }
        count.setName(COUNT);
        detections.setName(DETECTIONS);
        network.markOutput(count);
        network.markOutput(detections);
    }

    /** {@code [B, N, size]} from {@code [B, N, K]}, starting at {@code start} of the last axis; the batch stays dynamic. */
    private static ITensor lastAxisSlice(INetworkDefinition network, ITensor input, int start, int size) {
        var slice = network.addSlice(input, dims(start), dims(size), dims(1));
        slice.setAxes(dims(2));
        return slice.getOutput(0);
    }

    /** {@code [B, max]} as {@code [B, max, 1]}, for concatenation. */
    private static ITensor column(INetworkDefinition network, ITensor input, int max) {
        var reshape = network.addShuffle(input);
        Dims64 d = new Dims64();
        d.nbDims(3);
        d.d(0, 0).d(1, max).d(2, 1); // 0: copy the (dynamic) batch dimension
        reshape.setReshapeDimensions(d);
        return reshape.getOutput(0);
    }

    private static Dims64 dims(long value) {
        Dims64 d = new Dims64();
        d.nbDims(1);
        d.d(0, value);
        return d;
    }

    /** EfficientNMS_TRT version 1, from the plugin library that {@link TensorRt} registers. */
    private static IPluginV2 efficientNms(PostprocessConfig config) {
        IPluginCreator creator = getPluginRegistry().getPluginCreator("EfficientNMS_TRT", "1", "");
        if (creator == null || creator.isNull()) {
            throw new EngineException("TensorRT's EfficientNMS_TRT plugin is not registered: libnvinfer_plugin 10.6 "
                    + "must be on the library path (the gpu profile bundles it)");
        }
        Object[][] fields = {
                {"background_class", -1}, // YOLO has no background class
                {"max_output_boxes", config.maxDetections()},
                {"score_threshold", config.confidence()},
                {"iou_threshold", config.iou()},
                {"score_activation", 0}, // YOLO11 scores are sigmoid outputs already
                {"class_agnostic", 0}, // class-wise, as Ultralytics
                {"box_coding", 1}, // boxes are centre x, centre y, width, height
        };
        long size = Loader.sizeof(PluginField.class);
        try (PluginField array = new PluginField(fields.length);
             PluginFieldCollection collection = new PluginFieldCollection()) {
            Pointer[] keepAlive = new Pointer[2 * fields.length];
            for (int i = 0; i < fields.length; i++) {
                BytePointer name = new BytePointer((String) fields[i][0]);
                // arrays, not sizes: new IntPointer(int) would allocate that many ints
                Pointer value = fields[i][1] instanceof Float f ? new FloatPointer(new float[] {f})
                        : new IntPointer(new int[] {(Integer) fields[i][1]});
                keepAlive[2 * i] = name;
                keepAlive[2 * i + 1] = value;
                PluginFieldType type = value instanceof FloatPointer ? PluginFieldType.kFLOAT32 : PluginFieldType.kINT32;
                // fill the array's elements in place; the String setter of PluginField.name would leave a dangling
                // pointer, so the name's address (the struct's first member) is written directly
                try (PluginField field = new PluginField(Cuda.at(array.address() + i * size));
                     LongPointer namePointer = new LongPointer(Cuda.at(array.address() + i * size))) {
                    field.data(value).type(type).length(1);
                    namePointer.put(0, name.address());
                }
            }
            collection.nbFields(fields.length).fields(array);
            IPluginV2 plugin = creator.createPlugin("streamdetect_nms", collection);
            for (Pointer p : keepAlive) {
                p.close();
            }
            if (plugin == null || plugin.isNull()) {
                throw new EngineException("EfficientNMS_TRT rejected its parameters: " + TensorRtLogger.INSTANCE.takeLastError());
            }
            return plugin;
        }
    }
}
