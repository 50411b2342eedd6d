package io.streamdetect.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.streamdetect.PipelineException;
import io.streamdetect.decode.DecodeLimits;
import io.streamdetect.decode.ImageDecoder;
import io.streamdetect.records.DeadLetter;
import io.streamdetect.records.ImageRecord;
import io.streamdetect.records.RecordFactory;
import io.streamdetect.testing.TestImages;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.formats.avro.typeutils.AvroTypeInfo;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamEdge;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;

class OversizedImagesTest {
    private static final DecodeLimits LIMITS = new DecodeLimits(1000, 1_000_000);

    @Test
    void imagesOverTheByteLimitAreRefusedBeforeTheAsyncOperator() {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        var images = env.fromData(new AvroTypeInfo<>(ImageRecord.class), image("a", new byte[10]));
        DetectionOperator.builder().setModel("yolo11n.onnx").setDecodeLimits(LIMITS).build().apply(images);
        StreamGraph graph = env.getStreamGraph();

        StreamNode detect = node(graph, "detect");
        List<String> upstream = new ArrayList<>();
        for (StreamEdge edge : detect.getInEdges()) {
            upstream.add(graph.getStreamNode(edge.getSourceId()).getOperatorName());
        }
        assertThat(upstream).containsExactly("refuse-oversized");
        assertThat(node(graph, "refuse-oversized").getTransformationUID()).isEqualTo("streamdetect-refuse-oversized");
    }

    @Test
    void theDeadLetterIsTheOneTheDecoderMakes() {
        ImageRecord big = image("big-1", new byte[1001]);
        List<DeadLetter> dead = new ArrayList<>();
        List<ImageRecord> passed = new ArrayList<>();
        OversizedImages filter = new OversizedImages(LIMITS);
        ProcessFunctionDriver.run(filter, big, passed, dead);
        ProcessFunctionDriver.run(filter, image("ok-1", new byte[1000]), passed, dead);

        assertThat(passed).extracting(ImageRecord::getRecordId).containsExactly("ok-1");
        assertThat(dead).hasSize(1);
        PipelineException fromDecoder = catchThrowableOfType(PipelineException.class,
                () -> new ImageDecoder(LIMITS).inspect(new byte[1001]));
        DeadLetter expected = RecordFactory.failed(big, fromDecoder);
        expected.setFailedAt(dead.get(0).getFailedAt());
        assertThat(dead.get(0)).isEqualTo(expected);
        assertThat(dead.get(0).getMessage()).isEqualTo("image is 1001 bytes, over the limit of 1000 bytes");
    }

    private static StreamNode node(StreamGraph graph, String name) {
        return graph.getStreamNodes().stream().filter(n -> n.getOperatorName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no operator named " + name));
    }

    private static ImageRecord image(String id, byte[] bytes) {
        return ImageRecord.newBuilder().setRecordId(id).setSourceId("cam").setImage(ByteBuffer.wrap(bytes)).build();
    }

    /** Calls processElement with a context that collects the dead-letter side output; no metrics. */
    private static final class ProcessFunctionDriver {
        static void run(OversizedImages filter, ImageRecord image, List<ImageRecord> out, List<DeadLetter> dead) {
            filter.countDeadLettersWith(new org.apache.flink.metrics.SimpleCounter());
            filter.processElement(image, filter.new Context() {
                @Override
                public Long timestamp() {
                    return null;
                }

                @Override
                public org.apache.flink.streaming.api.TimerService timerService() {
                    throw new UnsupportedOperationException();
                }

                @Override
                public <X> void output(OutputTag<X> tag, X value) {
                    assertThat(tag).isEqualTo(DetectionOperator.DEAD_LETTERS);
                    dead.add((DeadLetter) value);
                }
            }, new org.apache.flink.util.Collector<>() {
                @Override
                public void collect(ImageRecord record) {
                    out.add(record);
                }

                @Override
                public void close() {}
            });
        }
    }
}
