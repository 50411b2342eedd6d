#!/usr/bin/env bash
# The leases of 2026-12-02 session 8. Session 7 left issue 14 at 0.80x of compute-only (one slot) and `bench` end to
# end at 0.82x: the inference thread ran one batch at a time, so the GPU idled ~1 ms of every 9 ms batch of 64 (the
# output's wait, post-processing, the hold and the next launch). Lease 1 queued the next batch behind the running one
# at once and lost (bench 0.71-0.73x against 0.76-0.84x one at a time; the job 0.72x against 0.81x): nvJPEG's decode
# of the batch after then waited for both. Now (lease 2) a batch is queued behind the running one only once the decode
# after it is submitted, the hold ends on that signal instead of a time, and a collected batch is post-processed
# after the next launch; -Dstreamdetect.batching.gpu-queue-depth=1 never queues behind a running batch.
# In this order, every timing step alone on the GPU:
#   1. bench end to end, queue depth 2 (the default) vs 1, twice each, alternating (one JVM each);
#   2. the job at defaults, 1 slot; depth 1, 1 slot; defaults, 2 slots; defaults, 1 slot again; the detections'
#      sink in a task of its own (-D sink.chained=false);
#   3. the GPU tests of the queued path (GpuPipelineGpuTest: two queued batches keep their own outputs; the
#      micro-batcher on the GPU), killed if they start building a plan;
#   4. latency (bench --latency 0.1,0.5), depth 2 vs 1;
#   5. the job with -D preprocess=cpu (the CPU path: depth 1).
# Stage with `bin/gpu-pack --flink`; carry .plans/ with a part, then:
#   mkdir -p /root/lease/repo && cp -r scripts .plans /root/lease/repo/ && cd /root/lease/repo &&
#   (setsid nohup bash scripts/gpu/lease-session8.sh > /root/lease/run.log 2>&1 < /dev/null &)   and poll /root/lease/phase
set -u
R=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$R/scripts/gpu/lease-common.sh"
W=/root/lease; mkdir -p "$W/out"; start_gpu_monitor "$W"
echo export > "$W/phase"
export_default_plan "$W"
ONE=-Dstreamdetect.batching.gpu-queue-depth=1
job() { watched_job "$W" "$@"; }
e2e() {
  local name=$1; shift
  echo "e2e $name" > "$W/phase"
  sd "$@" io.streamdetect.cli.StreamDetect bench -m "$M" --backends tensorrt --precision fp16 --batches 64 \
    --images "$IMAGES" --preprocess gpu --decode-threads 0 --seconds 4 > "$W/e2e-$name.log" 2>&1
}
latency() {
  local name=$1; shift
  echo "latency $name" > "$W/phase"
  sd "$@" io.streamdetect.cli.StreamDetect bench -m "$M" --backends tensorrt --precision fp16 --batches 64 \
    --images "$IMAGES" --latency 0.1,0.5 --seconds 4 --latency-rounds 2 --warm-up-seconds 1 \
    --batch-wait adaptive > "$W/latency-$name.log" 2>&1
}
e2e depth-2-a
e2e depth-1-a $ONE
e2e depth-2-b
e2e depth-1-b $ONE
job defaults-1a 1
JVM_OPTS=$ONE job depth-1 1
job defaults-2 2
job defaults-1b 1
job sink-unchained-1 1 -D sink.chained=false
echo gpu-tests > "$W/phase"
sd -Dstreamdetect.test.precision=fp16 -Dstreamdetect.test.maxBatch=64 org.junit.platform.console.ConsoleLauncher \
  execute --disable-banner --details=tree --include-tag gpu \
  --select-method io.streamdetect.preprocess.gpu.GpuPipelineGpuTest#aBatchQueuedBehindAnotherKeepsItsOwnOutput \
  --select-method io.streamdetect.preprocess.gpu.GpuPipelineGpuTest#microBatcherDecodesOnTheGpuAheadOfInference \
  --select-method io.streamdetect.preprocess.gpu.GpuPipelineGpuTest#gpuAndCpuPreprocessingGiveTheSameDetections \
  > "$W/gpu-tests.log" 2>&1 &
tests=$!
while kill -0 "$tests" 2>/dev/null; do # a plan build here would take the rest of the lease
  if grep -q "building a" "$W/gpu-tests.log"; then kill -9 "$tests"; echo "KILLED: it began a plan build" >> "$W/gpu-tests.log"; fi
  sleep 2
done
latency depth-2
latency depth-1 $ONE
job preprocess-cpu 1 -D preprocess=cpu
stop_gpu_monitor
echo done > "$W/phase"
