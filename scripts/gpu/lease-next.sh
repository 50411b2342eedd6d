#!/usr/bin/env bash
# The lease after 2026-12-02 session 12 (docs/benchmarks.md, "Session 12 on the H200"). Session 12 measured the job
# at 0.73/0.79 of compute-only in runs of 20,000 records that last under 3 s, in which the ramp and one checkpoint's
# synchronous part (148-196 ms) weigh; steady 250 ms intervals ran at 0.83-0.89. Batch 1's p99 at 10% load on the
# batch-1 plan was 2.4 ms in one JVM and 5.1 ms in another. And it found ONNX Runtime crashing the JVM on SIGTERM
# (fixed in 77fd214, ShutdownGuard); whether TensorRT/CUDA does the same has not been checked.
# This lease, every timing step alone:
#   0. the default plan and both batch-1 level-5 plans carried in .plans/ (no build); .plans/ is ~38 MB: carry it in a
#      call of its own (with nothing else), the rt and app parts in theirs;
#   A. the job at defaults (1 slot) with 100,000 records, twice, and 2 slots once: the steady ratio once the ramp and a
#      checkpoint are a small part of the run; one 20,000-record row beside them, as in sessions 3-12;
#   B. SIGTERM in the middle of TensorRT runs (bench, batch 64 and batch 1 with graphs), three times, and in the middle
#      of a streaming job: does the JVM exit (143) without an hs_err file?
#   C. latency at 10% on the batch-1 plan (NMS in it), three JVMs, to see how much its p99 moves (2.4 vs 5.1 ms);
#      the default plan at 10%/50% once.
# Start this script IN THE SAME CALL as the last app part, and poll inside that call (sleeps of 5-10 s, up to ~280 s),
# then chain poll calls back to back: session 10 lost two machines to gaps between calls. Analyse files in a tool call
# made beside the poll, never between polls. Only 8 files come back per call: copy what matters first.
#   mkdir -p /root/lease/repo && cp -r scripts .plans /root/lease/repo/ && cd /root/lease/repo &&
#   (setsid nohup bash scripts/gpu/lease-next.sh > /root/lease/run.log 2>&1 < /dev/null &)     and poll /root/lease/phase
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
RECORDS=100000 watched_job "$W" "long-1slot-a" 1
RECORDS=100000 watched_job "$W" "long-1slot-b" 1
RECORDS=100000 watched_job "$W" "long-2slots" 2
watched_job "$W" "short-1slot" 1

# sigterm_after NAME SECONDS CMD...: CMD in the background, SIGTERM after SECONDS, its exit status and any hs_err
sigterm_after() {
  local name=$1 after=$2; shift 2
  mkdir -p "$W/sigterm-$name"
  ( cd "$W/sigterm-$name" && exec "$@" > "$W/sigterm-$name/out.log" 2>&1 ) &
  local pid=$!
  sleep "$after"; kill -TERM "$pid"
  wait_or_kill "$pid" # sets ENDED; not in $(...): a subshell cannot wait for this shell's children
  echo "$name: $ENDED after SIGTERM at ${after}s; hs_err: $(ls "$W/sigterm-$name" | grep -c hs_err)" >> "$W/sigterm.txt"
}
# wait_or_kill PID: ENDED=its exit status, or SIGKILL after 60 s (a JVM hanging in its shutdown is a finding, not a
# lost lease); PID need not be a child (then its status is unknown here)
wait_or_kill() {
  local t=0
  while kill -0 "$1" 2>/dev/null && [ $t -lt 60 ]; do sleep 1; t=$((t + 1)); done
  if kill -0 "$1" 2>/dev/null; then kill -9 "$1"; ENDED="HUNG 60 s after SIGTERM, killed"
  else wait "$1" 2>/dev/null; ENDED="exit $? (127: not a child of this shell) after ${t} s"; fi
}
echo "sigterm" > "$W/phase"
for after in 6 8 11; do
  sigterm_after "bench-b64-$after" "$after" "${SD[@]}" -XX:ErrorFile="$W/sigterm-bench-b64-$after/hs_err_%p.log" \
    io.streamdetect.cli.StreamDetect bench -m "$M" --backends tensorrt --precision fp16 --batches 64 --seconds 30 \
    --image "$BUS"
done
[ -n "$B1" ] && sigterm_after "bench-b1-graphs" 7 "${SD[@]}" -XX:ErrorFile="$W/sigterm-bench-b1-graphs/hs_err_%p.log" \
  io.streamdetect.cli.StreamDetect bench -m "$B1" --backends tensorrt --precision fp16 --batches 1 --cuda-graphs on \
  --seconds 30 --image "$BUS"
# the job: streaming-job.sh runs the JVM as its child, so the signal goes to the JVM itself (a TaskManager stopped),
# 3 s after the job's first checkpoint (the job is running then; up to 180 s for the records and compute-only first)
mkdir -p "$W/sigterm-job"
JVM_OPTS=-XX:ErrorFile=$W/sigterm-job/hs_err_%p.log RECORDS=200000 bash "$R/scripts/gpu/streaming-job.sh" sigterm-job 1 \
  --no-latency &
job=$!
for t in $(seq 1 180); do find /root/jobbench/checkpoints-sigterm-job -name 'chk-*' 2>/dev/null | grep -q . && break; sleep 1; done
sleep 3
jvm=$(pgrep -f "[S]treamingJobBenchmark" | head -1)
if [ -n "$jvm" ]; then
  kill -TERM "$jvm"
  wait_or_kill "$jvm"
  wait "$job" # streaming-job.sh, which writes the JVM's exit status to exits.txt (a bare wait would wait for the GPU monitor)
  echo "job: SIGTERM ${t}+3 s in (first checkpoint at ${t} s); JVM ended: $ENDED; $(tail -1 /root/jobbench/exits.txt);\
 hs_err: $(ls "$W/sigterm-job" | grep -c hs_err)" >> "$W/sigterm.txt"
else
  echo "job: no JVM running ${t}+3 s in: not signalled" >> "$W/sigterm.txt"
  wait "$job"
fi
cp /root/jobbench/sigterm-job.log "$W/sigterm-job/" 2>/dev/null

for r in a b c; do
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
