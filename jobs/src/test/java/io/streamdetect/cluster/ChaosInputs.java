package io.streamdetect.cluster;

import io.streamdetect.records.ImageRecord;
import io.streamdetect.records.kafka.AvroSerializer;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * The fault-injection run's input: coco8's images, downscaled (the model letterboxes every image to 640 anyway,
 * small JPEGs keep Kafka and decoding cheap), and one bad record in 20, of four kinds in turn.
 */
final class ChaosInputs {
    /** What an input is, and so which output it must end as. */
    enum Kind {
        IMAGE, NOT_AN_IMAGE, TRUNCATED, OVERSIZED, NOT_AN_IMAGE_RECORD;

        boolean bad() {
            return this != IMAGE;
        }
    }

    /** The job must run with {@code decode.max-bytes} at this, so that OVERSIZED records are refused. */
    static final int MAX_IMAGE_BYTES = 256 * 1024;

    private static final Kind[] BAD = {Kind.NOT_AN_IMAGE, Kind.TRUNCATED, Kind.OVERSIZED, Kind.NOT_AN_IMAGE_RECORD};

    private final List<byte[]> jpegs;
    private final AvroSerializer<ImageRecord> serializer = new AvroSerializer<>(ImageRecord.class);

    ChaosInputs(Path imageDir, int maxSide) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(imageDir)) {
            files = s.filter(p -> p.toString().endsWith(".jpg")).sorted().toList();
        }
        jpegs = new ArrayList<>();
        for (Path f : files) {
            jpegs.add(downscale(Files.readAllBytes(f), maxSide));
        }
        if (jpegs.isEmpty()) {
            throw new IllegalArgumentException("no .jpg under " + imageDir);
        }
    }

    static String id(int index) {
        return String.format("chaos-%06d", index);
    }

    /** Every 20th input, starting at 7, is bad: 5%. */
    static Kind kind(int index) {
        return index % 20 == 7 ? BAD[(index / 20) % BAD.length] : Kind.IMAGE;
    }

    /** The Kafka value of input {@code index}. */
    byte[] value(int index) {
        Kind kind = kind(index);
        byte[] jpeg = jpegs.get(index % jpegs.size());
        return switch (kind) {
            case IMAGE -> record(index, jpeg);
            case NOT_AN_IMAGE -> record(index, ("not an image, record " + index).getBytes(StandardCharsets.UTF_8));
            case TRUNCATED -> record(index, Arrays.copyOf(jpeg, jpeg.length * 3 / 5));
            case OVERSIZED -> record(index, Arrays.copyOf(jpeg, MAX_IMAGE_BYTES + 64 * 1024));
            case NOT_AN_IMAGE_RECORD -> ("{\"json\": \"is not an ImageRecord\", \"n\": " + index + "}")
                    .getBytes(StandardCharsets.UTF_8);
        };
    }

    private byte[] record(int index, byte[] image) {
        ImageRecord r = ImageRecord.newBuilder()
                .setSourceId("chaos")
                .setRecordId(id(index))
                .setEventTime(Instant.now())
                .setImage(ByteBuffer.wrap(image))
                .setContentType("image/jpeg")
                .setAttributes(Map.of())
                .build();
        return serializer.serialize("images", r);
    }

    private static byte[] downscale(byte[] jpeg, int maxSide) throws IOException {
        BufferedImage src = ImageIO.read(new java.io.ByteArrayInputStream(jpeg));
        double scale = Math.min(1.0, (double) maxSide / Math.max(src.getWidth(), src.getHeight()));
        int w = (int) Math.round(src.getWidth() * scale);
        int h = (int) Math.round(src.getHeight() * scale);
        BufferedImage dst = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = dst.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, w, h, null);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(dst, "jpg", out);
        return out.toByteArray();
    }
}
