#!/usr/bin/env bash
# The second lease of 2026-12-01 session 4 (the first was lost after its diagnosis: notes in docs/benchmarks.md), on
# the default FP16 max-64 plan carried in .plans/. Timing-sensitive steps first, alone; then builds beside the rest:
#   1. bench e2e: compute only, GPU pre-processing alone, end to end (the held-batch hand-over of MicroBatcher);
#   2. the streaming job at defaults (1 slot), then with preprocess=cpu; each slot logs its stage summary on close;
#   3. issue 17's plans in three build chains side by side (builder single-threaded; accuracy does not depend on a
#      quiet GPU), each predict + eval on its own .engine; beside them 20 forced failovers (exactly once, memory)
#      and GraphsAndProfilesGpuTest.
# Start detached; poll /root/lease/phase.
set -u
R=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source /root/gpu/env.sh
A=/root/gpu/app; W=/root/lease; mkdir -p "$W"
source "$R/scripts/gpu/carried-plans.sh"
nvidia-smi --query-gpu=timestamp,memory.used,utilization.gpu --format=csv -l 2 > "$W/gpu-memory.csv" &
echo e2e > "$W/phase"
ONLY="e2e" bash "$R/scripts/gpu/latency-diagnosis.sh" > "$W/latency.log" 2>&1
J=$R/scripts/gpu/streaming-job.sh
for s in defaults:1:--no-latency preprocess-cpu:1:--no-latency:-D:preprocess=cpu; do
  echo "job ${s%%:*}" > "$W/phase"
  bash "$J" ${s//:/ }
done
echo models > "$W/phase"
for chain in "yolo26n:fp16 yolo11n:int8" "yolov8n:fp16 yolov8n:int8" "yolo26n:int8"; do
  c=${chain%% *}; c=${c/:/-}
  RUNS="$chain" W=/root/models/$c setsid nohup bash "$R/scripts/gpu/lease-exported-models.sh" > "/root/models-$c.log" 2>&1 < /dev/null &
done
echo "restarts; models building" > "$W/phase"
bash "$J" restarts-20 1 --no-latency --restarts 20
echo "tests; models building" > "$W/phase"
java -Xmx8g -Dlog4j2.configurationFile=log4j2-cli.properties -cp "$A/lib/*:$GPU_RT_JARS" \
  org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=tree --include-tag gpu \
  --select-class io.streamdetect.engine.tensorrt.GraphsAndProfilesGpuTest > "$W/tests.log" 2>&1
echo "tests exit $?" >> "$W/tests.log"
echo "models building" > "$W/phase"
wait
echo done > "$W/phase"
