#!/usr/bin/env bash
# Session 14's second lease (issue 18): p99 at low load with two or three slots on the GPU. One slot's p99 at 10% of
# its max rate is 2.5-2.7 ms against 3 x 0.608 = 1.8 ms: an image that arrives while another is in the engine waits
# for that run (0.74 ms) before its own. With two slots the arrivals are dealt in turn, so the next image runs beside
# the running one on another context and stream (bench --latency --streams N). Every step alone on the GPU, one JVM each:
#   the batch-1 plan (NMS in it) at 10% of its max rate with 1, 2 and 3 slots, and with 2 slots at the 1-slot 10% rate
#   (--rates 135) and at 50%; the default plan with 2 slots at 10% and 50%; then the 1- and 2-slot runs again.
# Staging and polling as in lease-next.sh (carry .plans in a call of its own; start this in the last app call).
set -u
R=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$R/scripts/gpu/lease-common.sh"
W=/root/lease; begin_lease "$W"
B1=$(ls "$STREAMDETECT_ENGINE_CACHE"/yolo11n-fp16-b1-o5.engine 2>/dev/null | head -1)
latency() { # NAME PLAN BATCH SLOTS LATENCY-ARGS...
  local name=$1 plan=$2 batch=$3 slots=$4; shift 4
  echo "latency $name" > "$W/phase"
  timeout 200 java -Xmx8g -Xlog:gc:file="$W/gc-$name.log" -Dlog4j2.configurationFile=log4j2-cli.properties \
    -cp "$A/lib/*:$GPU_RT_JARS" io.streamdetect.cli.StreamDetect bench -m "$plan" --backends tensorrt --precision fp16 \
    --batches "$batch" --images "$IMAGES" --streams "$slots" --seconds 5 --latency-rounds 3 --warm-up-seconds 1 \
    --batch-wait adaptive "$@" > "$W/latency-$name.log" 2>&1
}
if [ -n "$B1" ]; then
  latency b1-s1-a "$B1" 1 1 --latency 0.1
  latency b1-s2-a "$B1" 1 2 --latency 0.1 --rates 135
  latency b1-s3 "$B1" 1 3 --latency 0.1
  latency b1-s2-half "$B1" 1 2 --latency 0.5
fi
latency default-s2 "$M" 64 2 --latency 0.1,0.5 --latency-rounds 2
if [ -n "$B1" ]; then
  latency b1-s1-b "$B1" 1 1 --latency 0.1
  latency b1-s2-b "$B1" 1 2 --latency 0.1 --rates 135
fi
stop_gpu_monitor
echo done > "$W/phase"
