package io.streamdetect.model;

import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * What Ultralytics writes into an exported model's metadata: class names, input size, stride and task.
 * Nothing here is hard-coded: a model trained on other classes brings its own names.
 *
 * @param names       class names indexed by class id
 * @param inputWidth  model input width (imgsz[1])
 * @param inputHeight model input height (imgsz[0])
 * @param stride      largest stride of the detection heads
 * @param task        Ultralytics task; only {@code detect} is supported
 * @param raw         every metadata entry as read from the file
 */
public record ModelMetadata(List<String> names, int inputWidth, int inputHeight, int stride, String task,
                            Map<String, String> raw) implements Serializable {

    public ModelMetadata {
        names = List.copyOf(names);
        raw = Map.copyOf(raw);
    }

    /** Parses Ultralytics' metadata entries (as found in an ONNX file or an engine file header). */
    public static ModelMetadata parse(Map<String, String> raw, String modelName) {
        return MetadataParser.parse(raw, modelName);
    }

    public int classCount() {
        return names.size();
    }

    /**
     * Ultralytics' {@code end2end} entry (YOLO26 and other end-to-end exports write {@code True}): TRUE or FALSE as
     * written, null when the metadata does not say.
     */
    public Boolean endToEnd() {
        String value = raw.get("end2end");
        return value == null || value.isBlank() ? null : Boolean.valueOf("true".equalsIgnoreCase(value.trim()));
    }

    /** The class name, or {@code class<N>} for an id the metadata does not name. */
    public String className(int classId) {
        return classId >= 0 && classId < names.size() ? names.get(classId) : "class" + classId;
    }
}
