#!/usr/bin/env bash
# On the GPU machine staged with bin/gpu-pack: builds TensorRT plans for batch 1..8 side by side (each takes
# minutes), then evaluates them on coco8. Output: /root/eval/*.log, /root/eval/done.
# usage: eval-compare.sh [PRECISION ...]   (default fp32 fp16 int8: one `eval --compare` table; otherwise one
#        `eval` per precision plus ONNX Runtime, each with its per-class table)
# Start it detached (setsid nohup bash scripts/gpu/eval-compare.sh &) and poll /root/eval/done.
set -u
source /root/gpu/env.sh
A=/root/gpu/app; W=/root/eval; mkdir -p "$W"
export STREAMDETECT_ENGINE_CACHE=$W/plans
M=$A/shared/models/yolo11n.onnx; D=$A/shared/data/coco8; CALIB=$D/images/train
PRECISIONS=("$@"); [ ${#PRECISIONS[@]} -gt 0 ] || PRECISIONS=(fp32 fp16 int8)
sd() {
  java -Xmx8g --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
    -Dlog4j2.configurationFile=log4j2-cli.properties -cp "$A/lib/*:$GPU_RT_JARS" io.streamdetect.cli.StreamDetect "$@"
}
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader > "$W/gpu.txt"
for p in "${PRECISIONS[@]}"; do
  sd export -m "$M" --precision "$p" --calib "$CALIB" --max-batch 8 --out "$W/yolo11n-$p.engine" > "$W/export-$p.log" 2>&1 &
done
wait
if [ ${#PRECISIONS[@]} -eq 3 ]; then
  sd eval --compare -m "$M" --data "$D" --calib "$CALIB" --max-batch 8 > "$W/eval.log" 2>&1
else
  sd eval -m "$M" --backend onnxruntime --data "$D" --max-batch 8 > "$W/eval-onnxruntime.log" 2>&1
  for p in "${PRECISIONS[@]}"; do
    sd eval -m "$M" --backend tensorrt --precision "$p" --calib "$CALIB" --data "$D" --max-batch 8 > "$W/eval-$p.log" 2>&1
  done
fi
echo "exit $?" > "$W/done"
