#!/usr/bin/env bash
# On the GPU machine staged with bin/gpu-pack: issue 17's TensorRT checks of the models as Ultralytics exports them.
#   setsid nohup bash scripts/gpu/exported-models.sh > /root/models/run.log 2>&1 &     then poll /root/models/done
# 1. builds the TensorRT plans of yolo11n (batch 1..8), yolov8n and yolo26n (batch fixed at 1 by the models) for
#    each precision, all side by side (~10 min each on an H100/H200 when alone; INT8 calibrated on coco128);
# 2. runs ExportedModelsGpuTest (FP16 plans from the cache: yolo26n's end-to-end head and yolov8n against the
#    bus.jpg references);
# 3. evaluates every model and precision on coco128 (mAP50-95, mAP50, P, R) for docs/benchmarks.md.
# usage: exported-models.sh [PRECISION ...]   (default: fp16 int8)
# The plan cache ($W/plans, ~10 MB a plan) is worth fetching back: carried to the next machine, it saves the builds.
set -u
source /root/gpu/env.sh
A=/root/gpu/app; W=/root/models; mkdir -p "$W"
export STREAMDETECT_ENGINE_CACHE=$W/plans STREAMDETECT_SHARED=$A/shared
D=$A/shared/data/coco128; CALIB=$D/images/train2017
MODELS=(${MODELS:-yolo11n yolov8n yolo26n})
PRECISIONS=("$@"); [ ${#PRECISIONS[@]} -gt 0 ] || PRECISIONS=(fp16 int8)
JAVA=(java --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED
      --add-opens=java.base/java.nio=ALL-UNNAMED -Dlog4j2.configurationFile=log4j2-cli.properties)
sd() { "${JAVA[@]}" -Xmx4g -cp "$A/lib/*:$GPU_RT_JARS" io.streamdetect.cli.StreamDetect "$@"; }
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader > "$W/gpu.txt"
for m in "${MODELS[@]}"; do
  for p in "${PRECISIONS[@]}"; do
    sd export -m "$A/shared/models/$m.onnx" --precision "$p" --calib "$CALIB" --max-batch 8 \
      --out "$W/$m-$p.engine" > "$W/export-$m-$p.log" 2>&1 &
  done
done
wait
"${JAVA[@]}" -Xmx8g -cp "$A/lib/*:$GPU_RT_JARS" org.junit.platform.console.ConsoleLauncher execute --disable-banner \
  --details=tree --select-class io.streamdetect.engine.tensorrt.ExportedModelsGpuTest --include-tag gpu \
  > "$W/test-exported-models.log" 2>&1
echo "test exit $?" >> "$W/test-exported-models.log"
for m in "${MODELS[@]}"; do
  for p in "${PRECISIONS[@]}"; do
    sd eval -m "$A/shared/models/$m.onnx" --backend tensorrt --precision "$p" --calib "$CALIB" --data "$D" \
      --max-batch 8 > "$W/eval-$m-$p.log" 2>&1
    echo "exit $?" >> "$W/eval-$m-$p.log"
  done
done
grep -H -E "images/s|^all|precision [0-9]|exit" "$W"/eval-*.log > "$W/summary.txt"
echo "exit 0" > "$W/done"
