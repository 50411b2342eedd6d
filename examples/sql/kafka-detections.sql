-- Kafka ImageRecords -> ML_PREDICT with the streamdetect model -> Kafka DetectionRecords and DeadLetters,
-- exactly once (Kafka transactions committed at each checkpoint).
--
--   bin/streamdetect sql -f examples/sql/kafka-detections.sql --var bootstrap=localhost:9092 \
--     --var model=$PWD/../shared/models/yolo11n.onnx --var images=images --var detections=detections \
--     --var dead_letters=detections-dead-letters --var group=streamdetect-sql
--
-- Optional: --var checkpoint_interval='1 s', bounded=latest-offset (stop at the input's end), batch=64 (GPU),
-- in_flight=512 (8 batches), timeout='1 min', threads=2 (ONNX Runtime threads per call).
--
-- `produce` writes the input topic; `consume` prints the outputs (add --dead-letters for the second).

SET 'execution.checkpointing.interval' = '${checkpoint_interval:-5 s}';
SET 'execution.checkpointing.mode' = 'EXACTLY_ONCE';
-- images in flight per subtask: ML_PREDICT's async operator allows 10 by default, too few to fill batches; about
-- 8 batches' worth keeps the engine busy without images waiting in the queue past the model's 'timeout'
SET 'table.exec.async-ml-predict.max-concurrent-operations' = '${in_flight:-64}';
SET 'table.exec.async-ml-predict.timeout' = '5 min';
-- emit each image as it is done, like the stream job (the input is append-only, so order is not needed)
SET 'table.exec.async-ml-predict.output-mode' = 'ALLOW_UNORDERED';

CREATE TABLE images (
  record_id STRING,
  source_id STRING,
  event_time TIMESTAMP_LTZ(3),
  image BYTES,
  attributes MAP<STRING, STRING>
) WITH (
  'connector' = 'kafka',
  'topic' = '${images}',
  'properties.bootstrap.servers' = '${bootstrap}',
  'properties.group.id' = '${group}',
  'scan.startup.mode' = 'group-offsets',
  'properties.auto.offset.reset' = 'earliest',
  -- fetches sized for images, as the streaming job's source has them (ImageFetchDefaults): Kafka's own 1 MiB per
  -- partition and fetch holds about 19 coco8 JPEGs, and the slot then reads at the broker's round-trip pace
  'properties.max.partition.fetch.bytes' = '8388608',
  'properties.fetch.max.bytes' = '33554432',
  'properties.receive.buffer.bytes' = '-1',
  -- latest-offset: stop at the end offsets as of the start (a bounded run)
  'scan.bounded.mode' = '${bounded:-unbounded}',
  'format' = 'streamdetect-avro'
);

CREATE MODEL detector
  INPUT (image BYTES)
  OUTPUT (detections ARRAY<ROW<class_id INT, class_name STRING, score FLOAT, x1 FLOAT, y1 FLOAT, x2 FLOAT, y2 FLOAT>>,
          width INT, height INT, error_kind STRING, error_stage STRING, error_message STRING)
  WITH ('provider' = 'streamdetect', 'model' = '${model}', 'backend' = 'auto', 'batch.max-size' = '${batch:-8}', 'timeout' = '${timeout:-30 s}',
        'onnxruntime.threads' = '${threads:-0}');

-- key = record id, value = a DetectionRecord (the format writes DetectionRecords by default)
CREATE TABLE detections (
  record_id STRING,
  source_id STRING,
  event_time TIMESTAMP_LTZ(3),
  processing_time TIMESTAMP_LTZ(3),
  image_width INT,
  image_height INT,
  detections ARRAY<ROW<class_id INT, class_name STRING, score FLOAT, x1 FLOAT, y1 FLOAT, x2 FLOAT, y2 FLOAT>>,
  attributes MAP<STRING, STRING>
) WITH (
  'connector' = 'kafka',
  'topic' = '${detections}',
  'properties.bootstrap.servers' = '${bootstrap}',
  'properties.transaction.timeout.ms' = '600000',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = '${group}-detections',
  'key.format' = 'raw',
  'key.fields' = 'record_id',
  'value.format' = 'streamdetect-avro'
);

CREATE TABLE dead_letters (
  record_id STRING,
  source_id STRING,
  payload BYTES,
  error_kind STRING,
  stage STRING,
  message STRING,
  failed_at TIMESTAMP_LTZ(3)
) WITH (
  'connector' = 'kafka',
  'topic' = '${dead_letters}',
  'properties.bootstrap.servers' = '${bootstrap}',
  'properties.transaction.timeout.ms' = '600000',
  'sink.delivery-guarantee' = 'exactly-once',
  'sink.transactional-id-prefix' = '${group}-dead-letters',
  'key.format' = 'raw',
  'key.fields' = 'record_id',
  'value.format' = 'streamdetect-avro',
  'value.streamdetect-avro.record' = 'dead-letter'
);

CREATE TEMPORARY VIEW predictions AS
  SELECT * FROM ML_PREDICT(TABLE images, MODEL detector, DESCRIPTOR(image));

-- one job, one ML_PREDICT operator: the planner shares the view between the two INSERTs
EXECUTE STATEMENT SET BEGIN
  INSERT INTO detections
    SELECT record_id, source_id, event_time, CURRENT_TIMESTAMP, width, height, detections, attributes
    FROM predictions WHERE error_kind IS NULL;
  INSERT INTO dead_letters
    SELECT record_id, source_id, image, error_kind, error_stage, error_message, CURRENT_TIMESTAMP
    FROM predictions WHERE error_kind IS NOT NULL;
END;
