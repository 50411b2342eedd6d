#!/usr/bin/env bash
# The third lease of 2026-12-02 session 8: "this" build (e09da0a, reverted afterwards: docs/benchmarks.md, session 8)
# against session 7's (65f0074), side by side, by swapping the operators jar between runs (the s7 jar is carried in .lease/operators-s7.jar, built by
#   git worktree add /work/wt-s7 65f0074 && (cd /work/wt-s7 && ./mvnw -o -q package -pl operators -DskipTests)).
# Session 7 left issue 14 at 0.80x of compute-only (one slot), `bench` end to end at 0.82x: the inference thread ran
# a batch, post-processed it, held for the next decode and launched the next, the GPU idle meanwhile. This build
# post-processes a batch after the next one's launch when that one is waiting (its output is kept in a second buffer).
# Leases 1 and 2 of this session tried queueing the next batch behind the running one and lost (docs/benchmarks.md).
# In this order, every timing step alone on the GPU, the two builds alternating:
#   1. bench end to end, twice each;  2. the job at defaults, 1 slot, twice each;
#   3. this build: the detections' sink in a task of its own (-D sink.chained=false); 2 slots;
#   4. the GPU tests of the engine's queued runs and the micro-batcher (GpuPipelineGpuTest), killed if they start
#      building a plan;  5. latency (bench --latency 0.1,0.5), each build.
# Stage with `bin/gpu-pack --flink`; carry .plans/ and .lease/ with parts, then:
#   mkdir -p /root/lease/repo && cp -r scripts .plans .lease /root/lease/repo/ && cd /root/lease/repo &&
#   (setsid nohup bash scripts/gpu/lease-session8.sh > /root/lease/run.log 2>&1 < /dev/null &)   and poll /root/lease/phase
set -u
R=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$R/scripts/gpu/lease-common.sh"
W=/root/lease; begin_lease "$W"
JAR=$(ls "$A"/lib/streamdetect-operators-*-SNAPSHOT.jar | grep -v tests)
cp "$JAR" "$R/.lease/operators-this.jar"
use() { cp "$R/.lease/operators-$1.jar" "$JAR"; }
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
for round in a b; do
  use this; e2e "this-$round"
  use s7; e2e "s7-$round"
done
for round in a b; do
  use this; job "this-1$round" 1
  use s7; job "s7-1$round" 1
done
use this
job this-sink-unchained-1 1 -D sink.chained=false
job this-2 2
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
latency this
use s7; latency s7; use this
stop_gpu_monitor
echo done > "$W/phase"
