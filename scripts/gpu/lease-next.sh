#!/usr/bin/env bash
# The lease after 2026-12-02 session 10. Session 10 measured the job at 0.77-0.79x of compute-only with the default
# (image-sized) fetches, 0.81 with Kafka's, 0.78-0.79 with twice the in-flight window (docs/benchmarks.md, session 10),
# and found the slot bound by GPU pre-processing (9.0-9.3 ms per batch of 63 on the prepare thread), not starved: the
# "wait for image" of the slot's summary was the wait before its first image and after its last batch. The summary
# now covers the busy window only, and StreamingJobBenchmark prints a timeline (middle-80% rate, rate per 250 ms,
# each checkpoint's time, synchronous part and size). This lease, every timing step alone:
#   0. the default plan: carried in .plans/ (then no build), else built here first (~18 min from a cold timing cache;
#      copied to $W/out as soon as it exists: bring it home);
#   1. the job, 1 slot, at defaults: 20,000 records and 80,000 records (a steady window of ~12 s), alternating, x2;
#      then Kafka's fetch sizes at 80,000, x2. Read the timelines (a plateau at the steady rate: the slot runs that
#      slowly throughout; dips at the checkpoints: they cost it) and the busy-window summaries (prepare-bound?);
#   1b. bin/bench-flink feed on this host, the job's fetch sizes against Kafka's, coco8 (session 10 lost this step);
#   2. NmsGraphsDiagnosisGpuTest with graphs off and on (1 min), then `eval` coco8 and coco128 with graphs forced on
#      for the NMS plan against off (mAP must match): whether graphs can be the default for NMS plans (session 10:
#      p99 at 10% load 3.2 ms on, 6.4 ms off; 7.6% more saturated throughput).
#   3. issue 18's batch-1 target (0.741 ms on the default plan with graphs and its 1..1 profile, session 3; target
#      <= 0.6 ms): a plan for batch 1 alone at builder optimisation level 5, built last (at most 15 min, copied to
#      $W/out: bring it home), then batch 1 on it against the default plan, graphs off and on, one JVM each.
# Stage with `bin/gpu-pack --flink`; carry .plans/ (plan and timing cache) with the last runtime part. Start this
# script IN THE SAME CALL as the last app part, and poll inside that call (sleeps of 5-10 s, up to ~280 s), then
# chain poll calls back to back: session 10 lost two machines to gaps between calls, one of them right after staging.
#   mkdir -p /root/lease/repo && cp -r scripts .plans /root/lease/repo/ && cd /root/lease/repo &&
#   (setsid nohup bash scripts/gpu/lease-next.sh > /root/lease/run.log 2>&1 < /dev/null &)     and poll /root/lease/phase
# Never start streaming-job.sh by hand without sourcing lease-common.sh from the checkout (R set): without
# STREAMDETECT_ENGINE_CACHE it builds the plan again.
set -u
R=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$R/scripts/gpu/lease-common.sh"
W=/root/lease; begin_lease "$W"
job() { watched_job "$W" "$@"; }
KAFKA_FETCH=(); AGAINST=()
for setting in "${KAFKA_FETCH_SIZES[@]}"; do KAFKA_FETCH+=(-D "$setting"); AGAINST+=(--against "$setting"); done
export WATCHDOG_S=240
for round in a b; do
  RECORDS=20000 job "defaults-20k-$round" 1
  RECORDS=80000 job "defaults-80k-$round" 1
done
for round in a b; do
  RECORDS=80000 job "kafka-fetch-sizes-80k-$round" 1 "${KAFKA_FETCH[@]}"
done
echo feed > "$W/phase"
sd_flink io.streamdetect.bench.FeedThroughputBenchmark --rounds 3 "${AGAINST[@]}" > "$W/feed.log" 2>&1
echo nms-graphs > "$W/phase"
bash "$R/scripts/gpu/nms-graphs-diagnosis.sh" > "$W/nms-graphs.log" 2>&1
cp /root/nmsdiag/summary.txt "$W/nms-graphs-summary.txt"
# coco8 runs one batch of 8 (the 1..8 profile), coco128 two of 64 (the 1..64 profile)
for data in coco8 coco128; do
  for graphs in off on; do
    echo "eval $data graphs-$graphs" > "$W/phase"
    sd -Dstreamdetect.tensorrt.cuda-graphs.nms=$([ $graphs = on ] && echo true || echo false) \
      io.streamdetect.cli.StreamDetect eval -m "$M" --backend tensorrt --precision fp16 --max-batch 64 \
      --data "$A/shared/data/$data" > "$W/eval-$data-graphs-$graphs.log" 2>&1
  done
done
echo "export b1-o5" > "$W/phase"
B1=$W/out/yolo11n-fp16-b1-o5.engine
timeout 900 sd io.streamdetect.cli.StreamDetect export -m "$M" --precision fp16 --max-batch 1 --opt-level 5 \
  --out "$B1" > "$W/export-b1-o5.log" 2>&1
echo "exit $?, $SECONDS s into the lease" >> "$W/export-b1-o5.log"
# the default plan through the ONNX model (batches up to 64: the carried plan), then the batch-1 plan's file
for plan in "$M:1,64" "$B1:1"; do
  file=${plan%%:*}; batches=${plan##*:}
  [ -f "$file" ] || continue
  echo "batch-1 $(basename "$file")" > "$W/phase"
  sd -Dstreamdetect.tensorrt.cuda-graphs.nms=true io.streamdetect.cli.StreamDetect bench -m "$file" \
    --backends tensorrt --precision fp16 --batches "$batches" --cuda-graphs off,on --seconds 3 \
    --image "$A/shared/images/bus.jpg" > "$W/batch1-$(basename "$file").log" 2>&1
done
stop_gpu_monitor
echo done > "$W/phase"
