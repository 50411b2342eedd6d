#!/usr/bin/env bash
# On the GPU machine staged with `bin/gpu-pack --flink`, the default plan carried in .plans/ (no build): the decode-
# first order (DecodeFirst: each batch's inference waits until the next batch's nvJPEG decode is submitted), ~4 min:
#   1. GpuPipelineGpuTest: the GPU path's pixels equal the CPU path's, bus.jpg through the whole GPU path;
#   2. bench e2e with the hold off (--gpu-decode-hold-us 0; then a system property) and at 1000 us, one JVM each;
#   3. the streaming job at defaults (hold off), 1 and 2 slots;
#   4. bench --latency 0.1,0.5 with the hold off, as it ran (the default has been a 1 ms hold since session 7).
#   setsid nohup bash scripts/gpu/decode-first.sh > /root/df/run.log 2>&1 &     and poll /root/df/phase
set -u
R=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$R/scripts/gpu/lease-common.sh"
W=/root/df; mkdir -p "$W"
echo test > "$W/phase"
sd org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=tree --include-tag gpu \
  --select-method 'io.streamdetect.preprocess.gpu.GpuPipelineGpuTest#letterboxedPixelsMatchTheCpu' \
  --select-method 'io.streamdetect.preprocess.gpu.GpuPipelineGpuTest#busThroughTheWholeGpuPathMatchesTheReference' \
  > "$W/test.log" 2>&1
echo "test exit $?" >> "$W/test.log"
for hold in 0 1000; do
  echo "e2e $hold" > "$W/phase"
  sd io.streamdetect.cli.StreamDetect bench -m "$M" --backends tensorrt --precision fp16 --gpu-decode-hold-us $hold \
    --batches 64 --images "$IMAGES" --preprocess gpu --decode-threads 0 --seconds 4 > "$W/e2e-hold-$hold.log" 2>&1
done
for s in 1 2; do
  echo "job $s" > "$W/phase"
  bash "$R/scripts/gpu/streaming-job.sh" df-slots-$s $s --no-latency -D batch.gpu-decode-hold=0ms
  cp /root/jobbench/df-slots-$s.log "$W/"
done
echo latency > "$W/phase"
sd io.streamdetect.cli.StreamDetect bench -m "$M" --backends tensorrt --precision fp16 --batches 64 \
  --images "$IMAGES" --latency 0.1,0.5 --seconds 4 --latency-rounds 2 --warm-up-seconds 1 \
  --batch-wait adaptive --gpu-decode-hold-us 0 > "$W/latency.log" 2>&1
echo done > "$W/phase"
