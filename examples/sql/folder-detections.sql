-- A folder of images -> ML_PREDICT with the streamdetect model -> JSON files. Streaming mode on a bounded
-- source (Flink 2.2 has no BATCH-mode plan for ML_PREDICT); the file sink commits its files at checkpoints, the
-- last one when the folder is done.
--
--   bin/streamdetect sql -f examples/sql/folder-detections.sql --var images=$PWD/../shared/data/coco8/images \
--     --var model=$PWD/../shared/models/yolo11n.onnx --var output=/tmp/detections-json
--
-- Each file of the folder tree (hidden ones skipped) is one row; record_id is its path below 'path'. The output
-- folder gets JSON lines, one object per image: its detections, or why it could not be processed.

SET 'execution.checkpointing.interval' = '${checkpoint_interval:-2 s}';
SET 'table.exec.async-ml-predict.max-concurrent-operations' = '${in_flight:-64}';

CREATE TABLE images (
  record_id STRING,
  event_time TIMESTAMP_LTZ(3),
  image BYTES,
  attributes MAP<STRING, STRING>
) WITH (
  'connector' = 'filesystem',
  'path' = '${images}',
  'format' = 'streamdetect-image'
);

CREATE MODEL detector
  INPUT (image BYTES)
  OUTPUT (detections ARRAY<ROW<class_id INT, class_name STRING, score FLOAT, x1 FLOAT, y1 FLOAT, x2 FLOAT, y2 FLOAT>>,
          width INT, height INT, error_kind STRING, error_message STRING)
  WITH ('provider' = 'streamdetect', 'model' = '${model}', 'backend' = '${backend:-auto}',
        'batch.max-size' = '${batch:-8}', 'timeout' = '${timeout:-5 min}');

CREATE TABLE detections (
  record_id STRING,
  event_time TIMESTAMP_LTZ(3),
  width INT,
  height INT,
  detections ARRAY<ROW<class_id INT, class_name STRING, score FLOAT, x1 FLOAT, y1 FLOAT, x2 FLOAT, y2 FLOAT>>,
  error_kind STRING,
  -- why a file was not read (too large, vanished), else why the image could not be processed
  error_message STRING
) WITH (
  'connector' = 'filesystem',
  'path' = '${output}',
  'format' = 'json'
);

INSERT INTO detections
  SELECT record_id, event_time, width, height, detections, error_kind,
         COALESCE(attributes['streamdetect.error'], error_message)
  FROM ML_PREDICT(TABLE images, MODEL detector, DESCRIPTOR(image));
