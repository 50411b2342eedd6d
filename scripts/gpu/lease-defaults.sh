#!/usr/bin/env bash
# One H200 lease for issues 14 and 18 on the plan a default job builds (FP16, max batch 64, NMS in the plan by
# nms=auto, profiles 1..64, 1..1, 1..8). The plan is built once, alone: 20 min or more on an H200 with a cold timing
# cache, and nothing else may run beside it, or builds crawl. It is copied to $W/out as soon as it exists, so that
# a lease that runs out later still brings it home. Then, in order of what each step settles:
#   1. bench compute-only, batch 1/8/64, graphs off/on, profile pinned to 0 / best fit (issue 18's ratios and the
#      batch-64 throughput against the 1..max profile without graphs);
#   2. streaming-job.sh, one step at a time: 1 slot at defaults with latency at 25/50/90% of its steady rate,
#      preprocess cpu, 20 forced restarts, 2 and 4 slots (issue 14);
#   3. latency.sh: bench --latency, adaptive vs fixed (issue 18).
# Stage with `bin/gpu-pack --flink`, carry .plans/ (or only its timing cache), then:
#   setsid nohup bash scripts/gpu/lease-defaults.sh > /root/lease/run.log 2>&1 &     and poll /root/lease/phase
# Bring $W/out/* back into .plans/: the next lease then skips the build.
set -u
R=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source /root/gpu/env.sh
A=/root/gpu/app; W=/root/lease; mkdir -p "$W/out"
source "$R/scripts/gpu/carried-plans.sh"
M=$A/shared/models/yolo11n.onnx
sd() { java -Xmx8g -Dlog4j2.configurationFile=log4j2-cli.properties -cp "$A/lib/*:$GPU_RT_JARS" \
  io.streamdetect.cli.StreamDetect "$@"; }
nvidia-smi --query-gpu=timestamp,memory.used,utilization.gpu --format=csv -l 2 > "$W/gpu-memory.csv" &
echo export > "$W/phase"
t=$SECONDS; sd export -m "$M" --precision fp16 --max-batch 64 --out "$W/yolo11n-fp16-b64.engine" > "$W/export.log" 2>&1
echo "exit $?, took $((SECONDS - t)) s" >> "$W/export.log"
cp "$STREAMDETECT_ENGINE_CACHE"/*fp16-b64* "$STREAMDETECT_ENGINE_CACHE"/timing-* "$W/out/"
echo bench > "$W/phase"
sd bench -m "$M" --backends tensorrt --precision fp16 --batches 1,8,64 --cuda-graphs off,on --pin-profile 0,-1 \
  --seconds 3 --image "$A/shared/images/bus.jpg" > "$W/bench-b64.log" 2>&1
for s in slots-1:1:--latency-seconds:10 slots-1-preprocess-cpu:1:-D:preprocess=cpu:--no-latency \
         slots-1-restarts-20:1:--no-latency:--restarts:20 slots-2:2:--no-latency slots-4:4:--no-latency; do
  echo "$s" > "$W/phase"
  bash "$R/scripts/gpu/streaming-job.sh" ${s//:/ }
done
echo latency > "$W/phase"
bash "$R/scripts/gpu/latency.sh" > "$W/latency.log" 2>&1
echo done > "$W/phase"
