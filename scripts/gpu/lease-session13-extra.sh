#!/usr/bin/env bash
# What session 13 ran by hand after lease-next.sh of c640faf (docs/benchmarks.md, "Session 13 on the H200", rows e-i):
# more runs of the job at defaults with 100,000 and 200,000 records, and one with a checkpoint a minute instead of
# every 5 s (is it the checkpoints that hold the steady ratio under 0.85?). Run from the checkout on the GPU machine,
# after the staging of lease-next.sh; poll /root/lease/extra/phase.
set -u
R=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$R/scripts/gpu/lease-common.sh"
W=/root/lease/extra; mkdir -p "$W/out"; start_gpu_monitor "$W"
export WATCHDOG_S=200
RECORDS=200000 watched_job "$W" "x200k-1slot-a" 1
RECORDS=100000 watched_job "$W" "x100k-1slot-c" 1
RECORDS=200000 watched_job "$W" "x200k-1slot-b" 1
RECORDS=200000 watched_job "$W" "y200k-ckpt60s" 1 -D checkpoint.interval=60s
RECORDS=200000 watched_job "$W" "y200k-default" 1
stop_gpu_monitor
echo done > "$W/phase"
# The second lease at the end of session 13 (rows j-l, build 1990bb6), run the same way:
#   RECORDS=200000 watched_job "$W" "final-200k-a" 1
#   RECORDS=200000 watched_job "$W" "final-200k-sink-apart" 1 -D sink.chained=false
#   RECORDS=200000 watched_job "$W" "final-200k-b" 1
