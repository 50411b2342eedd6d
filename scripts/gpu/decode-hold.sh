#!/usr/bin/env bash
# On the GPU machine staged with `bin/gpu-pack --flink`, the default plan carried in .plans/ (no build): does nvJPEG's
# decode overlap inference when it is submitted before the engine's work? The hold (in session 5 the property
# -Dstreamdetect.batching.gpu-hold-us=N, now bench --gpu-decode-hold-us N) holds each batch's inference until the
# prepare thread has been in the next GPU upload for N us. bench e2e for N = 0, 500, 1000, 2000, 0 (one JVM each), then the streaming job at N = 1000. ~3 min.
#   setsid nohup bash scripts/gpu/decode-hold.sh > /root/hold/run.log 2>&1 &     and poll /root/hold/phase
set -u
R=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$R/scripts/gpu/lease-common.sh"
W=/root/hold; mkdir -p "$W"
i=0
for n in 0 500 1000 2000 0; do
  i=$((i + 1)); echo "e2e $n" > "$W/phase"
  sd io.streamdetect.cli.StreamDetect bench -m "$M" --backends tensorrt --precision fp16 --gpu-decode-hold-us $n \
    --batches 64 --images "$IMAGES" --preprocess gpu --decode-threads 0 --seconds 4 > "$W/e2e-$i-hold-$n.log" 2>&1
done
echo "job 1000" > "$W/phase"
bash "$R/scripts/gpu/streaming-job.sh" hold-1000 1 --no-latency -D batch.gpu-decode-hold=1ms
cp /root/jobbench/hold-1000.log "$W/"
echo done > "$W/phase"
