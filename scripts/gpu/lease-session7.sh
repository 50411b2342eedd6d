#!/usr/bin/env bash
# The 2026-12-02 lease (session 7). The plans of earlier leases did not survive into this checkout, so it starts with
# the default plan's build (yolo11n FP16, max batch 64, NMS in the plan, profiles 1..64, 1..1, 1..8: ~16 min on an
# H200), alone on the GPU; `bench-flink feed` (the input path alone, CPU only) runs on the host beside it. The plan and
# timing cache are copied to $W/out as soon as they exist. Then, every timing step alone, in order of what it settles:
#   1. the streaming job at defaults, 1 slot (object reuse on since session 6), then with the decode hold (1000 us,
#      the form that holds only for full batches, never run on a GPU before); a thread dump if a run passes 120 s;
#   2. bench end to end: hold 0, hold 1000, and hold 0 with nvJPEG's allocations padded by 64 MB (does a cudaFree
#      inside nvJPEG make the decode wait for the engine?);
#   3. the job with 2 slots, at defaults and with the hold; preprocess=cpu (issue 14: >= 2,000 img/s); the job with
#      object reuse off (the baseline for session 6's change, same lease);
#   4. bench --latency 0.1,0.5 with hold 0 and 1000 (what the hold costs at low load; issue 18).
# As run, the hold was a system property (-Dstreamdetect.batching.gpu-hold-us); it is now batch.gpu-decode-hold,
# 1 ms by default, and this script says so. Stage with `bin/gpu-pack --flink`, then:
#   mkdir -p /root/lease/repo && cp -r scripts /root/lease/repo/ && cd /root/lease/repo &&
#   setsid nohup bash scripts/gpu/lease-session7.sh > /root/lease/run.log 2>&1 < /dev/null &   and poll /root/lease/phase
# Keep calls less than 30 s apart; bring $W/out (plans) and the logs back early.
set -u
R=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$R/scripts/gpu/lease-common.sh"
W=/root/lease; mkdir -p "$W/out"; start_gpu_monitor "$W"

echo export > "$W/phase"
( sd_flink io.streamdetect.bench.FeedThroughputBenchmark --rounds 2 > "$W/feed.log" 2>&1
  sd_flink io.streamdetect.bench.FeedThroughputBenchmark --rounds 2 --images "$A/shared/images" \
    --records 10000 > "$W/feed-bus.log" 2>&1 ) &
feed=$!
export_default_plan "$W"
wait "$feed"

# job NAME SLOTS HOLD_US [ARGS...]: streaming-job.sh's step with that hold, watched
job() {
  local name=$1 slots=$2 hold=$3; shift 3
  watched_job "$W" "$name" "$slots" -D "batch.gpu-decode-hold=${hold}micros" "$@"
}
# e2e NAME HOLD_US [JVM OPTIONS...]: bench's compute-only, pre-processing alone and end to end, one JVM
e2e() {
  local name=$1 hold=$2; shift 2
  echo "e2e $name" > "$W/phase"
  sd "$@" io.streamdetect.cli.StreamDetect bench --gpu-decode-hold-us "$hold" -m "$M" --backends tensorrt --precision fp16 --batches 64 \
    --images "$IMAGES" --preprocess gpu --decode-threads 0 --seconds 4 > "$W/e2e-$name.log" 2>&1
}
# "defaults" as of build 61c8ab9, before the hold was on by default: these two runs are without it
job defaults-1 1 0
job hold-1000-1 1 1000
e2e hold-0 0
e2e hold-1000 1000
e2e padding-64 0 -Dstreamdetect.nvjpeg.padding-mb=64
job defaults-2 2 0
job hold-1000-2 2 1000
job preprocess-cpu 1 0 -D preprocess=cpu
job reuse-off-1 1 0 -D pipeline.object-reuse=false
for hold in 0 1000; do
  echo "latency $hold" > "$W/phase"
  sd io.streamdetect.cli.StreamDetect bench --gpu-decode-hold-us "$hold" -m "$M" --backends tensorrt --precision fp16 --batches 64 \
    --images "$IMAGES" --latency 0.1,0.5 --seconds 4 --latency-rounds 2 --warm-up-seconds 1 \
    --batch-wait adaptive > "$W/latency-hold-$hold.log" 2>&1
done
stop_gpu_monitor
echo done > "$W/phase"
