#!/usr/bin/env bash
# A short lease (~6 min after staging) for when little device time is left: the job at defaults against a larger
# in-flight window (-D capacity=1024, twice the default 8 batches of 64), alternating, twice each; then
# bench --latency with graphs off and forced on for the NMS plan (issue 18). Start it like lease-next.sh.
set -u
R=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$R/scripts/gpu/lease-common.sh"
W=/root/lease; begin_lease "$W"
job() { watched_job "$W" "$@"; }
for round in a b; do
  job "defaults-$round" 1
  job "capacity-1024-$round" 1 -D capacity=1024
done
for graphs in off on; do
  echo "latency graphs-$graphs" > "$W/phase"
  sd -Dstreamdetect.tensorrt.cuda-graphs.nms=$([ $graphs = on ] && echo true || echo false) \
    io.streamdetect.cli.StreamDetect bench -m "$M" --backends tensorrt --precision fp16 --batches 64 \
    --images "$IMAGES" --latency 0.1,0.5 --seconds 3 --latency-rounds 2 --warm-up-seconds 1 \
    --batch-wait adaptive > "$W/latency-graphs-$graphs.log" 2>&1
done
stop_gpu_monitor
echo done > "$W/phase"
