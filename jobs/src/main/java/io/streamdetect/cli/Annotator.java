package io.streamdetect.cli;

import static org.bytedeco.opencv.global.opencv_imgcodecs.imwrite;
import static org.bytedeco.opencv.global.opencv_imgproc.FONT_HERSHEY_SIMPLEX;
import static org.bytedeco.opencv.global.opencv_imgproc.FILLED;
import static org.bytedeco.opencv.global.opencv_imgproc.LINE_AA;
import static org.bytedeco.opencv.global.opencv_imgproc.getTextSize;
import static org.bytedeco.opencv.global.opencv_imgproc.putText;
import static org.bytedeco.opencv.global.opencv_imgproc.rectangle;

import io.streamdetect.decode.DecodeLimits;
import io.streamdetect.decode.DecodedImage;
import io.streamdetect.decode.ImageDecoder;
import io.streamdetect.postprocess.DetectedObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/** Draws boxes, class names and scores on an image and writes it, like Ultralytics' {@code save=True}. */
final class Annotator {
    private final ImageDecoder decoder = new ImageDecoder(DecodeLimits.DEFAULT);

    void save(byte[] image, List<DetectedObject> objects, Path out) {
        try (DecodedImage decoded = decoder.decode(image)) {
            var mat = decoded.mat();
            int thickness = Math.max(2, Math.round((decoded.width() + decoded.height()) / 2f * 0.003f));
            double fontScale = thickness / 3.0;
            for (DetectedObject o : objects) {
                try (Scalar color = colorOf(o.classId());
                     Point p1 = new Point(Math.round(o.x1()), Math.round(o.y1()));
                     Point p2 = new Point(Math.round(o.x2()), Math.round(o.y2()))) {
                    rectangle(mat, p1, p2, color, thickness, LINE_AA, 0);
                    String label = String.format(Locale.ROOT, "%s %.2f", o.className(), o.score());
                    int[] baseline = new int[1];
                    try (Size text = getTextSize(label, FONT_HERSHEY_SIMPLEX, fontScale, Math.max(1, thickness - 1), baseline);
                         Point labelTop = new Point(p1.x(), Math.max(0, p1.y() - text.height() - 6));
                         Point labelBottom = new Point(p1.x() + text.width(), Math.max(text.height() + 6, p1.y()));
                         Point origin = new Point(p1.x(), Math.max(text.height() + 2, p1.y() - 4));
                         Scalar white = new Scalar(255, 255, 255, 0)) {
                        rectangle(mat, labelTop, labelBottom, color, FILLED, LINE_AA, 0);
                        putText(mat, label, origin, FONT_HERSHEY_SIMPLEX, fontScale, white, Math.max(1, thickness - 1),
                                LINE_AA, false);
                    }
                }
            }
            if (!imwrite(out.toString(), mat)) {
                throw new IllegalStateException("cannot write " + out);
            }
        }
    }

    /** A stable, distinct colour per class (BGR). */
    private static Scalar colorOf(int classId) {
        int h = classId * 2654435761L > 0 ? (int) (classId * 2654435761L) : classId * 97;
        return new Scalar(64 + (h & 0x7F), 64 + ((h >> 8) & 0x7F), 64 + ((h >> 16) & 0x7F), 0);
    }
}
