#!/usr/bin/env bash
# On the GPU machine staged with `bin/gpu-pack --flink`: issue 14's nms=auto and parallel host post-processing.
#  1. `export` of yolo11n at FP16, max batch 64, every other setting at its default: the plan must get EfficientNMS
#     ("NMS efficientnms-conf0.25-iou0.7-max300" on its first line) and be cached;
#  2. the streaming job with only --backend tensorrt --precision fp16 --max-batch 64: its log must say
#     "NMS engine (auto: TensorRT engine with a classic head, ...)" and it must find the plan of step 1 in the
#     cache (no "building" line), then 3 forced failovers (--restarts 3): GPU memory after restart 1 and 3, and
#     20,000 of 20,000 records committed with 0 duplicate ids;
#  3. the same job with -D nms=host: host post-processing, now parallel on the decode pool (was ~700 img/s).
# Start it detached and poll $W/*.log and $W/done:
#   setsid nohup bash scripts/gpu/nms-auto.sh > /root/nmsauto/run.log 2>&1 &
set -u
source /root/gpu/env.sh
A=/root/gpu/app; W=/root/nmsauto; mkdir -p "$W"
export STREAMDETECT_ENGINE_CACHE=${STREAMDETECT_ENGINE_CACHE:-$W/plans} STREAMDETECT_SHARED=$A/shared
export STREAMDETECT_CACHE=$W/cache
JAVA=("$A/jre/bin/java" -Xmx16g --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED
      --add-opens=java.base/java.nio=ALL-UNNAMED -Dlog4j2.configurationFile=log4j2.properties)
"${JAVA[@]}" -cp "$A/lib/*:$GPU_RT_JARS" io.streamdetect.cli.StreamDetect export \
  -m "$A/shared/models/yolo11n.onnx" --precision fp16 --max-batch 64 --out "$W/yolo11n-fp16.engine" > "$W/export.log" 2>&1
echo "export exit $?" >> "$W/exits.txt"
"${JAVA[@]}" -cp "$A/lib/*:$GPU_RT_JARS" io.streamdetect.bench.StreamingJobBenchmark \
  --model "$A/shared/models/yolo11n.onnx" --images "$A/shared/data/coco8/images" \
  --backend tensorrt --precision fp16 --max-batch 64 --records 20000 --slots 1 --restarts 3 --no-latency \
  --seconds 5 --work-dir "$W/checkpoints-auto" > "$W/nms-auto.log" 2>&1
echo "nms auto exit $?" >> "$W/exits.txt"
"${JAVA[@]}" -cp "$A/lib/*:$GPU_RT_JARS" io.streamdetect.bench.StreamingJobBenchmark \
  --model "$A/shared/models/yolo11n.onnx" --images "$A/shared/data/coco8/images" \
  --backend tensorrt --precision fp16 --max-batch 64 --records 20000 --slots 1 -D nms=host --no-latency \
  --seconds 5 --work-dir "$W/checkpoints-host" > "$W/nms-host.log" 2>&1
echo "nms host exit $?" >> "$W/exits.txt"
grep -h "NMS \|building\|cached" "$W"/*.log > "$W/nms-lines.txt"
echo "exit 0" > "$W/done"
