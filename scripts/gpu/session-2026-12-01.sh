#!/usr/bin/env bash
# On the GPU machine staged with bin/gpu-pack, with a plan cache carried in .plans/ (FP32 batch-8 yolo11n):
# 1. issue 14: bench, CPU pre-processing end to end with 1 decode thread vs the shared decode pool (automatic: every
#    core), beside compute-only, same plan, same run;
# 2. in the background: issue 17's FP16 plans of yolov8n and yolo26n (batch fixed at 1) + ExportedModelsGpuTest +
#    eval on coco128 (scripts/gpu/exported-models.sh), and issue 13's GPU tests on the merged code (header/size
#    mismatch to the CPU path, GPU pipeline, device per thread, contexts per failover).
# Poll /root/s2/done-*; copy /root/*/plans/*.engine and the logs to $OUT at the end.
set -u
source /root/gpu/env.sh
A=/root/gpu/app; W=/root/s2; mkdir -p "$W" /root/pipe/plans /root/models/plans /root/hard/plans
for d in /root/pipe/plans /root/models/plans /root/hard/plans; do cp -n .plans/* "$d/" 2>/dev/null; done
export STREAMDETECT_ENGINE_CACHE=/root/hard/plans STREAMDETECT_SHARED=$A/shared
JAVA=(java --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED
      --add-opens=java.base/java.nio=ALL-UNNAMED -Dlog4j2.configurationFile=log4j2-cli.properties)
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader > "$W/gpu.txt"
nproc >> "$W/gpu.txt"
"${JAVA[@]}" -Xmx8g -cp "$A/lib/*:$GPU_RT_JARS" io.streamdetect.cli.StreamDetect bench -m "$A/shared/models/yolo11n.onnx" \
  --backends tensorrt --precision fp32 --batches 8 --preprocess cpu --decode-threads 1,0 \
  --images "$A/shared/data/coco128/images" --seconds 8 > "$W/bench-decode.log" 2>&1
echo "exit $?" > "$W/done-bench"
(MODELS="yolov8n yolo26n" bash scripts/gpu/exported-models.sh fp16 > /root/models/run.log 2>&1; echo "exit $?" > "$W/done-models") &
(bash scripts/gpu/gpu-header-mismatch.sh fp32 8 > /root/pipe/mismatch.log 2>&1; cp /root/pipe/test-header-mismatch.log "$W/";
 bash scripts/gpu/hardening.sh > /root/hard/run.log 2>&1; cp /root/hard/test-hardening.log "$W/"; echo "exit $?" > "$W/done-tests") &
wait
