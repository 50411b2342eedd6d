#!/usr/bin/env bash
# On the GPU machine staged with bin/gpu-pack: builds FP32/FP16/INT8 plans for batch 1..8 side by side (each
# takes minutes), then runs `eval --compare` on coco8 with them. Output: /root/eval/*.log, /root/eval/done.
# Start it detached (setsid nohup bash scripts/gpu/eval-compare.sh &) and poll /root/eval/done.
set -u
source /root/gpu/env.sh
A=/root/gpu/app; W=/root/eval; mkdir -p "$W"
export STREAMDETECT_ENGINE_CACHE=$W/plans
M=$A/shared/models/yolo11n.onnx; D=$A/shared/data/coco8
sd() {
  java -Xmx8g --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
    -Dlog4j2.configurationFile=log4j2-cli.properties -cp "$A/lib/*:$GPU_RT_JARS" io.streamdetect.cli.StreamDetect "$@"
}
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader > "$W/gpu.txt"
for p in fp32 fp16; do
  sd export -m "$M" --precision $p --max-batch 8 --out "$W/yolo11n-$p.engine" > "$W/export-$p.log" 2>&1 &
done
sd export -m "$M" --precision int8 --calib "$D/images/train" --max-batch 8 --out "$W/yolo11n-int8.engine" \
  > "$W/export-int8.log" 2>&1 &
wait
sd eval --compare -m "$M" --data "$D" --calib "$D/images/train" --max-batch 8 > "$W/eval.log" 2>&1
echo "exit $?" > "$W/done"
