#!/usr/bin/env bash
# The lease after 2026-12-02 session 7. Session 7 made the decode hold a default (batch.gpu-decode-hold, 1 ms) and
# left issue 14 at 0.80x of compute-only with one slot, where the prepare thread still waited for images 25% of the
# time: the GPU is fed too slowly. StreamingJobBenchmark now prints the busiest threads of the steady window (CPU ms
# and % busy), which says which thread feeds it too slowly. In this order, every timing step alone:
#   0. the default plan: carried in .plans/ (then no build), else built here first (~18 min from a cold timing cache;
#      copied to $W/out as soon as it exists: bring it home);
#   1. the job at defaults, 1 slot, twice, and 2 slots once: throughput, and the busiest-threads table;
#   2. the job, 1 slot, hold off (-D batch.gpu-decode-hold=0ms): the hold's effect once more, same lease; and with
#      the detections' sink in a task of its own (-D sink.chained=false): the task thread then only feeds the slot;
#   3. bench end to end: defaults, and nvJPEG's allocations padded by 64 MB, twice each (session 7: 0.80x padded
#      against 0.75x, one run each, without the hold);
#   4. NmsGraphsDiagnosisGpuTest (graphs on NMS plans, 1 min), then bench --latency with graphs forced on for the NMS
#      plan (issue 18: p99 at 10% load 5.9 ms with graphs off, 3.1 ms with them on in session 5).
# Stage with `bin/gpu-pack --flink`; carry .plans/ (plan and timing cache) with the last runtime part, then:
#   mkdir -p /root/lease/repo && cp -r scripts .plans /root/lease/repo/ && cd /root/lease/repo &&
#   setsid nohup bash scripts/gpu/lease-next.sh > /root/lease/run.log 2>&1 < /dev/null &     and poll /root/lease/phase
# Keep calls less than 30 s apart, or one call that waits inside (up to 10 min). Never start streaming-job.sh by hand
# without sourcing lease-common.sh from the checkout (R set): without STREAMDETECT_ENGINE_CACHE it builds the plan again.
set -u
R=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$R/scripts/gpu/lease-common.sh"
W=/root/lease; mkdir -p "$W/out"; start_gpu_monitor "$W"
echo export > "$W/phase"
export_default_plan "$W"
job() { watched_job "$W" "$@"; }
# e2e NAME [JVM OPTIONS...]: bench's compute-only, pre-processing alone and end to end, one JVM
e2e() {
  local name=$1; shift
  echo "e2e $name" > "$W/phase"
  sd "$@" io.streamdetect.cli.StreamDetect bench -m "$M" --backends tensorrt --precision fp16 --batches 64 \
    --images "$IMAGES" --preprocess gpu --decode-threads 0 --seconds 4 > "$W/e2e-$name.log" 2>&1
}
job defaults-1a 1
job defaults-2 2
job defaults-1b 1
job no-hold-1 1 -D batch.gpu-decode-hold=0ms
job sink-unchained-1 1 -D sink.chained=false
e2e defaults-a
e2e padding-64-a -Dstreamdetect.nvjpeg.padding-mb=64
e2e defaults-b
e2e padding-64-b -Dstreamdetect.nvjpeg.padding-mb=64
echo nms-graphs > "$W/phase"
bash "$R/scripts/gpu/nms-graphs-diagnosis.sh" > "$W/nms-graphs.log" 2>&1
cp /root/nmsdiag/summary.txt "$W/nms-graphs-summary.txt"
for graphs in off on; do
  echo "latency graphs-$graphs" > "$W/phase"
  sd -Dstreamdetect.tensorrt.cuda-graphs.nms=$([ $graphs = on ] && echo true || echo false) \
    io.streamdetect.cli.StreamDetect bench -m "$M" --backends tensorrt --precision fp16 --batches 64 \
    --images "$IMAGES" --latency 0.1,0.5 --seconds 4 --latency-rounds 2 --warm-up-seconds 1 \
    --batch-wait adaptive > "$W/latency-graphs-$graphs.log" 2>&1
done
stop_gpu_monitor
echo done > "$W/phase"
