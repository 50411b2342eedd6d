#!/usr/bin/env bash
# The lease after 2026-12-02 session 13 (docs/benchmarks.md, "Session 13 on the H200"). Session 13 ran this script's
# previous form (c640faf) plus two job scripts by hand: the job at defaults with 100,000-200,000 records ran at
# 0.827-0.861 of compute-only (mean 0.847 of six runs; 20,000 records: 0.763), SIGTERM under TensorRT ended every
# JVM cleanly (5 of 5), and the batch-1 plan's p99 at 10% load was 2.5-2.7 ms in three JVMs (target 1.8 ms).
# Session 14 (docs/benchmarks.md, "Session 14 on the H200") ran lease-latency-slots.sh and, short of device time, one
# run of what lease-prepare-inline.sh measures. Session 15 ran lease-slots-auto-and-spins.sh on 903e462 (its GPU tests
# covered 4c9a4ba); its final build (batch.idle-spin as a setting, the union-state fix) never ran on a GPU: run
# lease-slots-auto-and-spins.sh first in the next lease, then this one.
# This form is the baseline for the next change to the slot's pipeline, every timing step alone:
#   0. the default plan and both batch-1 level-5 plans carried in .plans/ (no build); .plans/ is ~38 MB: carry it in a
#      call of its own (with nothing else), the rt and app parts in theirs;
#   A. the job at defaults (1 slot) with 200,000 records three times, 2 slots once: the steady ratio and its spread;
#   (session 13's second lease answered the question of the sink in a task of its own: the first checkpoint's
#   synchronous part stayed long, 113 ms, so it lies in the detection task; a step for it comes with a change)
#   B. latency at 10% on the batch-1 plan (NMS in it), two JVMs, and the default plan at 10%/50% once.
# Start this script IN THE SAME CALL as the last app part, and poll inside that call (sleeps of 5-10 s, up to ~280 s),
# then chain poll calls back to back: session 10 lost two machines to gaps between calls. Analyse files in a tool call
# made beside the poll, never between polls. Only 8 files come back per call: copy what matters first.
#   the .plans call (carry [".plans"]):  mkdir -p /root/lease && cp -r .plans /root/lease/plans-carried
#   the last app call:  mkdir -p /root/lease/repo && cp -r scripts /root/lease/repo/ &&
#     cp -r /root/lease/plans-carried /root/lease/repo/.plans && cd /root/lease/repo &&
#     (setsid nohup bash scripts/gpu/lease-next.sh > /root/lease/run.log 2>&1 < /dev/null &)     and poll /root/lease/phase
# sd is a shell function: run it under `timeout` through "${SD[@]}" (session 11's script lost steps to `timeout sd`).
# Never start streaming-job.sh by hand without sourcing lease-common.sh from the checkout (R set): without
# STREAMDETECT_ENGINE_CACHE it builds the plan again.
set -u
R=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$R/scripts/gpu/lease-common.sh"
W=/root/lease; begin_lease "$W"
SD=(java -Xmx8g -Dlog4j2.configurationFile=log4j2-cli.properties -cp "$A/lib/*:$GPU_RT_JARS")
B1=$(ls "$STREAMDETECT_ENGINE_CACHE"/yolo11n-fp16-b1-o5.engine 2>/dev/null | head -1)
[ -n "$B1" ] || echo "no batch-1 level-5 plan in .plans/: its latency steps are skipped" > "$W/no-b1-plan.txt"
BUS=$A/shared/images/bus.jpg
export WATCHDOG_S=200
for r in a b c; do RECORDS=200000 watched_job "$W" "long-1slot-$r" 1; done
RECORDS=200000 watched_job "$W" "long-2slots" 2

for r in a b; do
  [ -n "$B1" ] || break
  echo "latency b1-o5 $r" > "$W/phase"
  timeout 120 "${SD[@]}" -Xlog:gc:file="$W/gc-b1-o5-$r.log" io.streamdetect.cli.StreamDetect bench -m "$B1" \
    --backends tensorrt --precision fp16 --batches 1 --images "$IMAGES" --latency 0.1 --seconds 5 --latency-rounds 3 \
    --warm-up-seconds 1 --batch-wait adaptive > "$W/latency-b1-o5-$r.log" 2>&1
done
echo "latency default" > "$W/phase"
timeout 240 "${SD[@]}" io.streamdetect.cli.StreamDetect bench -m "$M" --backends tensorrt --precision fp16 \
  --batches 64 --images "$IMAGES" --latency 0.1,0.5 --seconds 5 --latency-rounds 2 --warm-up-seconds 1 \
  --batch-wait adaptive > "$W/latency-default.log" 2>&1
stop_gpu_monitor
echo done > "$W/phase"
