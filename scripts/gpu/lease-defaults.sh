#!/usr/bin/env bash
# One H200 lease for issues 14 and 18 on the plan a default job builds (FP16, max batch 64, NMS in the plan by
# nms=auto, profiles 1..64, 1..1, 1..8): builds it once, alone (15 min or more on an H200: nothing else may run
# beside it, or builds crawl), then runs on it, in order:
#   1. scripts/gpu/streaming-job.sh: the streaming job through Kafka at defaults, 1/2/4 slots, 20 forced restarts,
#      preprocess cpu, latency at 25/50/90% of the steady rate (issue 14);
#   2. bench compute-only batch 1/8/64 with graphs off/on and profile pinned/best fit (issue 18's ratios and the
#      batch-64 throughput against the 1..max profile without graphs);
#   3. scripts/gpu/latency.sh: bench --latency, adaptive vs fixed (issue 18).
# Stage with `bin/gpu-pack --flink`, send .plans/ in a carry, then:
#   setsid nohup bash scripts/gpu/lease-defaults.sh > /root/lease/run.log 2>&1 &     and poll /root/lease/phase
# Fetch /root/plans/*.engine and the timing cache back into .plans/ at the end: the next lease then skips the build.
set -u
R=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source /root/gpu/env.sh
A=/root/gpu/app; W=/root/lease; mkdir -p "$W"
export STREAMDETECT_ENGINE_CACHE=/root/plans
mkdir -p "$STREAMDETECT_ENGINE_CACHE"; cp -n "$R"/.plans/* "$STREAMDETECT_ENGINE_CACHE"/ 2>/dev/null
chmod -R u+w "$STREAMDETECT_ENGINE_CACHE" # carried files arrive read-only; the timing cache must be writable
M=$A/shared/models/yolo11n.onnx
sd() { java -Xmx8g -Dlog4j2.configurationFile=log4j2-cli.properties -cp "$A/lib/*:$GPU_RT_JARS" \
  io.streamdetect.cli.StreamDetect "$@"; }
echo export > "$W/phase"
t=$SECONDS; sd export -m "$M" --precision fp16 --max-batch 64 --out "$W/yolo11n-fp16-b64.engine" > "$W/export.log" 2>&1
echo "took $((SECONDS - t)) s, exit $?" >> "$W/export.log"
echo streaming-job > "$W/phase"
bash "$R/scripts/gpu/streaming-job.sh" > "$W/streaming-job.log" 2>&1
echo bench > "$W/phase"
sd bench -m "$M" --backends tensorrt --precision fp16 --batches 1,8,64 --cuda-graphs off,on --pin-profile 0,-1 \
  --seconds 3 --image "$A/shared/images/bus.jpg" > "$W/bench-b64.log" 2>&1
echo latency > "$W/phase"
bash "$R/scripts/gpu/latency.sh" > "$W/latency.log" 2>&1
echo done > "$W/phase"
