#!/usr/bin/env bash
# On the GPU machine staged with bin/gpu-pack: issue 18's plan checks and issue 17's TensorRT checks, in one
# lease. Start it detached and poll $W/phase and $W/done:
#   setsid nohup bash scripts/gpu/profiles-and-models.sh > /root/pm/run.log 2>&1 &
# 1. Builds, side by side: yolo11n FP16 batch 64 with the default profiles (1..64, 1..1, 1..8), once with NMS in
#    the plan (what jobs build by default on TensorRT) and once with the raw output (eval, NMS on the host), at
#    TensorRT's default builder level; and issue 17's accuracy plans, yolov8n and yolo26n FP16 and the three
#    models INT8 (calibrated on coco128), at builder level 1 (--opt-level 1: minutes less per plan, kernels a
#    little slower, the same precision; their plan keys say so, so jobs never pick them up).
# 2. bench compute-only and host-to-host at batch 1, 8 and 64: graphs off and on, pinned to the 1..64 profile
#    (as single-profile plans ran) and best fit, side by side on the same plans.
# 3. GraphsAndProfilesGpuTest on the FP16 raw-output plan (bus.jpg reference, graphs = direct launches).
# 4. predict bus.jpg and eval coco128 (and coco8 with graphs on and off) for every plan.
# The plans ($W/plans, ~15 MB each) are worth fetching back: carried to the next machine, they save the builds.
set -u
source /root/gpu/env.sh
A=/root/gpu/app; W=/root/pm; mkdir -p "$W"
export STREAMDETECT_ENGINE_CACHE=${STREAMDETECT_ENGINE_CACHE:-$W/plans} STREAMDETECT_SHARED=$A/shared
# plans carried here from .plans/ arrive read-only: the timing cache must be writable, or no build saves its timings
mkdir -p "$STREAMDETECT_ENGINE_CACHE"; chmod -R u+w "$STREAMDETECT_ENGINE_CACHE"
M=$A/shared/models; D=$A/shared/data; CALIB=$D/coco128/images/train2017; BUS=$A/shared/images/bus.jpg
JAVA=(java --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED
      --add-opens=java.base/java.nio=ALL-UNNAMED -Dlog4j2.configurationFile=log4j2-cli.properties)
sd() { "${JAVA[@]}" -Xmx4g -cp "$A/lib/*:$GPU_RT_JARS" io.streamdetect.cli.StreamDetect "$@"; }
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader > "$W/gpu.txt"
echo build > "$W/phase"
FP16=(-m "$M/yolo11n.onnx" --backend tensorrt --precision fp16 --max-batch 64)
timed() { local t=$SECONDS; "$@"; echo "took $((SECONDS - t)) s, exit $?"; }
timed sd predict "${FP16[@]}" --nms engine "$BUS" > "$W/build-yolo11n-fp16-nms.log" 2>&1 &
timed sd predict "${FP16[@]}" --nms host "$BUS" > "$W/build-yolo11n-fp16-raw.log" 2>&1 &
for mp in yolov8n:fp16 yolo26n:fp16 yolo11n:int8 yolov8n:int8 yolo26n:int8; do
  m=${mp%%:*}; p=${mp##*:}
  timed sd export -m "$M/$m.onnx" --precision "$p" --calib "$CALIB" --max-batch 8 --opt-level 1 \
    --out "$W/$m-$p.engine" > "$W/export-$m-$p.log" 2>&1 &
done
wait
echo bench > "$W/phase"
for nms in engine host; do
  sd bench -m "$M/yolo11n.onnx" --backends tensorrt --precision fp16 --batches 1,8,64 --nms "$nms" \
    --cuda-graphs off,on --pin-profile 0,-1 --seconds 2 --image "$BUS" > "$W/bench-nms-$nms.log" 2>&1
done
echo tests > "$W/phase"
"${JAVA[@]}" -Xmx8g -Dstreamdetect.test.maxBatch=64 -Dstreamdetect.test.precision=fp16 -cp "$A/lib/*:$GPU_RT_JARS" \
  org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=tree --include-tag gpu \
  --select-class io.streamdetect.engine.tensorrt.GraphsAndProfilesGpuTest \
  > "$W/tests.log" 2>&1
echo "tests exit $?" >> "$W/tests.log"
echo eval > "$W/phase"
for m in yolov8n yolo26n; do
  sd predict -m "$W/$m-fp16.engine" --backend tensorrt "$BUS" > "$W/predict-$m-fp16.log" 2>&1
done
sd eval "${FP16[@]}" --data "$D/coco128" > "$W/eval-yolo11n-fp16.log" 2>&1; echo "exit $?" >> "$W/eval-yolo11n-fp16.log"
for g in --cuda-graphs --no-cuda-graphs; do
  sd eval "${FP16[@]}" $g --data "$D/coco8" > "$W/eval-coco8-yolo11n-fp16$g.log" 2>&1
done
for mp in yolov8n:fp16 yolo26n:fp16 yolo11n:int8 yolov8n:int8 yolo26n:int8; do
  m=${mp%%:*}; p=${mp##*:}
  b=8; [ "$m" = yolo11n ] || b=1
  sd eval -m "$W/$m-$p.engine" --backend tensorrt --max-batch "$b" --data "$D/coco128" > "$W/eval-$m-$p.log" 2>&1
  echo "exit $?" >> "$W/eval-$m-$p.log"
done
grep -H -E "^all|images/s|exit" "$W"/eval-*.log > "$W/summary.txt"
echo done > "$W/phase"; echo "exit 0" > "$W/done"
