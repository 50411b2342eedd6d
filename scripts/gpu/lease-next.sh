#!/usr/bin/env bash
# The lease after 2026-12-01 session 5, on the default FP16 max-64 plan carried in .plans/ (no build first). Session 5
# found that holding each batch's launch until the next batch's nvJPEG decode is submitted lifts `bench` end to end
# from 0.71-0.76x to 0.82-0.84x of compute-only (DecodeFirst, -Dstreamdetect.batching.gpu-hold-us, off by default),
# but one streaming job run with the hold did not finish in 140 s. The hold now applies only to batches that will be
# full (not yet run on a GPU). Since session 6 the jobs run with Flink's object reuse on (ObjectReuse: four fewer
# copies of each image on the task thread that feeds the slot). In this order, every timing step alone:
#   1. the streaming job, 1 slot, hold 1000 us, twice, and hold 0 between them: a thread dump (SIGQUIT) into the
#      step's log if a run passes 120 s, and a kill 15 s later; then hold 0 with object reuse off (the baseline
#      for reuse, side by side with hold 0), and `bench-flink feed` (the input path alone, on this host's CPU);
#   2. bench e2e, hold 0 and 1000; bench --latency 0.1,0.5 with hold 0 and 1000 (what the hold costs at low load);
#   3. the streaming job, 2 slots, hold 1000; preprocess=cpu once more (issue 14: >= 2,000 img/s; 1,953 and 2,159);
#   4. issue 17's INT8 min-max plans again, three builds side by side (~3 min), copied to $W/plans to bring back.
# Stage with `bin/gpu-pack --flink`; carry only the default plan and the timing cache from .plans/, then:
#   mkdir -p /root/lease/repo && cp -r scripts .plans /root/lease/repo/ && cd /root/lease/repo &&
#   setsid nohup bash scripts/gpu/lease-next.sh > /root/lease/run.log 2>&1 < /dev/null &     and poll /root/lease/phase
# Keep calls less than 30 s apart (poll with calls that sleep inside): the machine goes back after ~30 s idle, and
# think between calls only briefly. Bring results back early (a tarball in $OUT), not only at the end.
set -u
R=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$R/scripts/gpu/lease-common.sh"
W=/root/lease; mkdir -p "$W"
H=-Dstreamdetect.batching.gpu-hold-us
nvidia-smi --query-gpu=timestamp,memory.used,utilization.gpu --format=csv -l 2 > "$W/gpu-memory.csv" &
monitor=$!
# job NAME SLOTS HOLD [ARGS...]: streaming-job.sh's step, with a thread dump if it hangs
job() {
  local name=$1 slots=$2 hold=$3; shift 3
  echo "job $name" > "$W/phase"
  ( sleep 120; pkill -QUIT -f "[S]treamingJobBenchmark"; sleep 15; pkill -9 -f "[S]treamingJobBenchmark" ) &
  local watchdog=$!
  JVM_OPTS=$H=$hold bash "$R/scripts/gpu/streaming-job.sh" "$name" "$slots" --no-latency "$@"
  kill "$watchdog" 2>/dev/null
  cp "/root/jobbench/$name.log" "$W/"
}
job hold-1000-a 1 1000
job hold-0 1 0
job hold-1000-b 1 1000
job hold-0-reuse-off 1 0 -D pipeline.object-reuse=false
echo feed > "$W/phase"
sd --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
  io.streamdetect.bench.FeedThroughputBenchmark --rounds 2 > "$W/feed.log" 2>&1
for hold in 0 1000; do
  echo "e2e $hold" > "$W/phase"
  sd $H=$hold io.streamdetect.cli.StreamDetect bench -m "$M" --backends tensorrt --precision fp16 \
    --batches 64 --images "$IMAGES" --preprocess gpu --decode-threads 0 --seconds 4 > "$W/e2e-hold-$hold.log" 2>&1
  echo "latency $hold" > "$W/phase"
  sd $H=$hold io.streamdetect.cli.StreamDetect bench -m "$M" --backends tensorrt --precision fp16 --batches 64 \
    --images "$IMAGES" --latency 0.1,0.5 --seconds 4 --latency-rounds 2 --warm-up-seconds 1 \
    --batch-wait adaptive > "$W/latency-hold-$hold.log" 2>&1
done
job hold-1000-slots-2 2 1000
job preprocess-cpu 1 0 -D preprocess=cpu
echo int8-minmax > "$W/phase"
builds=()
for m in yolo11n yolov8n yolo26n; do
  RUNS="$m:int8" TAG=-minmax EXPORT_ARGS="--nms host" W=/root/models/$m-int8-minmax \
    bash "$R/scripts/gpu/lease-exported-models.sh" > "/root/models-$m-int8-minmax.log" 2>&1 &
  builds+=($!)
done
wait "${builds[@]}" # not a bare wait: the GPU monitor above never ends
grep -H "^all" /root/models/*-int8-minmax/eval-*.log > "$W/int8-minmax.txt"
mkdir -p "$W/plans" && cp /root/models/*-int8-minmax/*.engine "$W/plans/" 2>/dev/null
kill "$monitor" 2>/dev/null
echo done > "$W/phase"
