#!/usr/bin/env bash
# One lease for issue 17's TensorRT rows: the models as Ultralytics exports them (yolo26n's end-to-end head and
# yolov8n, both static batch 1) in FP16 and INT8, and yolo11n in INT8 (its FP16 rows exist). Plans are built one at
# a time (builds side by side crawl), at builder optimisation level 0: TensorRT's builder is single-threaded and
# CPU-bound on the H200 host (982 s for the default yolo11n FP16 plan at level 3), and accuracy does not depend on
# how long the builder searched for kernels. Each plan is copied to $W/out as soon as it exists; then `predict`
# bus.jpg (FP16: the issue's references) and `eval` coco128 run on that very .engine file, so nothing rebuilds.
# INT8 is calibrated on coco128's images. Start detached and poll $W/phase:
#   setsid nohup bash scripts/gpu/lease-exported-models.sh > /root/models/run.log 2>&1 &
set -u
source /root/gpu/env.sh
A=/root/gpu/app; W=${W:-/root/models}; mkdir -p "$W/out"
export STREAMDETECT_ENGINE_CACHE=$W/plans STREAMDETECT_SHARED=$A/shared
mkdir -p "$STREAMDETECT_ENGINE_CACHE"
D=$A/shared/data/coco128; BUS=$A/shared/images/bus.jpg
sd() { java -Xmx6g -Dlog4j2.configurationFile=log4j2-cli.properties -cp "$A/lib/*:$GPU_RT_JARS" \
  io.streamdetect.cli.StreamDetect "$@"; }
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader > "$W/gpu.txt"
for mp in ${RUNS:-yolo26n:fp16 yolov8n:fp16 yolo11n:int8 yolov8n:int8 yolo26n:int8}; do
  # EXPORT_ARGS="--nms host": a plan with the raw output, so that eval applies its own --conf 0.001 (a plan with NMS
  # in it keeps the 0.25 it was built with, and eval would under-report the mAP of a classic-head model)
  m=${mp%%:*}; p=${mp##*:}; e=$W/$m-$p-o0${TAG:-}.engine
  echo "$mp export" > "$W/phase"
  t=$SECONDS
  sd export -m "$A/shared/models/$m.onnx" --precision "$p" --calib "$D/images" --max-batch 8 --opt-level 0 \
    ${EXPORT_ARGS:-} --out "$e" > "$W/export-$m-$p${TAG:-}.log" 2>&1
  echo "exit $?, took $((SECONDS - t)) s" >> "$W/export-$m-$p${TAG:-}.log"
  [ -f "$e" ] && cp "$e" "$W/out/"
  echo "$mp predict+eval" > "$W/phase"
  [ "$p" = fp16 ] && sd predict -m "$e" --backend tensorrt "$BUS" > "$W/predict-$m-$p${TAG:-}.log" 2>&1
  sd eval -m "$e" --backend tensorrt --data "$D" > "$W/eval-$m-$p${TAG:-}.log" 2>&1
  echo "exit $?" >> "$W/eval-$m-$p${TAG:-}.log"
done
grep -H -E "mAP|^all|exit|took" "$W"/eval-*.log "$W"/export-*.log > "$W/summary.txt"
echo done > "$W/phase"
