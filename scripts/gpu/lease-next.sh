#!/usr/bin/env bash
# The lease after 2026-12-02 session 8. Session 8 measured three ways to close the GPU's ~1 ms idle gap per batch
# (two batches queued on the GPU, queueing only after the next decode was submitted, post-processing beside the next
# batch): none beat session 7's loop, which the code is back to (docs/benchmarks.md, session 8). It also found that
# one build's job runs spread by 0.07 (0.74-0.81x) within one lease, so single runs cannot settle differences of
# 0.02-0.05. This lease therefore runs each setting three times, alternating, every timing step alone:
#   0. the default plan: carried in .plans/ (then no build), else built here first (~18 min from a cold timing cache;
#      copied to $W/out as soon as it exists: bring it home);
#   1. the job, 1 slot: defaults (since session 8, image-sized Kafka fetches: ImageFetchDefaults) | Kafka's own fetch
#      sizes (the defaults before) | the sink in a task of its own (-D sink.chained=false; session 8: mean 0.81 of 7
#      against 0.80 chained), x3. Session 8 saw the inference thread wait for a batch 22-30% of a job run, and the
#      input path alone run 1.7-3.5x faster with the new fetch sizes on a 2-core box: does the job follow?
#   1b. bin/bench-flink feed on this host, the job's fetch sizes against Kafka's, coco8 and bus.jpg;
#   2. NmsGraphsDiagnosisGpuTest (graphs on NMS plans, 1 min), then bench --latency with graphs forced on for the NMS
#      plan (issue 18: p99 at 10% load 5.6-5.9 ms with graphs off, 3.1 ms with them on in session 5).
# Stage with `bin/gpu-pack --flink`; carry .plans/ (plan and timing cache) with the last runtime part, then:
#   mkdir -p /root/lease/repo && cp -r scripts .plans /root/lease/repo/ && cd /root/lease/repo &&
#   setsid nohup bash scripts/gpu/lease-next.sh > /root/lease/run.log 2>&1 < /dev/null &     and poll /root/lease/phase
# Keep calls less than 30 s apart (session 8 lost a machine to a longer pause), or one call that waits inside (up to
# 10 min). Never start streaming-job.sh by hand without sourcing lease-common.sh from the checkout (R set): without
# STREAMDETECT_ENGINE_CACHE it builds the plan again.
set -u
R=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$R/scripts/gpu/lease-common.sh"
W=/root/lease; begin_lease "$W"
job() { watched_job "$W" "$@"; }
KAFKA_FETCH=(); AGAINST=()
for setting in "${KAFKA_FETCH_SIZES[@]}"; do KAFKA_FETCH+=(-D "$setting"); AGAINST+=(--against "$setting"); done
for round in a b c; do
  job "defaults-$round" 1
  job "kafka-fetch-sizes-$round" 1 "${KAFKA_FETCH[@]}"
  job "sink-unchained-$round" 1 -D sink.chained=false
done
echo feed > "$W/phase"
sd_flink io.streamdetect.bench.FeedThroughputBenchmark --rounds 3 "${AGAINST[@]}" > "$W/feed.log" 2>&1
sd_flink io.streamdetect.bench.FeedThroughputBenchmark --rounds 3 --images "$A/shared/images" \
  --records 10000 "${AGAINST[@]}" > "$W/feed-bus.log" 2>&1
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
