#!/usr/bin/env bash
# On the GPU machine staged with bin/gpu-pack: issue 18's latency at low load. `bench --latency` measures one slot's
# end-to-end max rate (TensorRT FP16, GPU pre-processing where auto picks it), then sends Poisson arrivals at 10%,
# 50% and 90% of it, and absolute 5 and 30 img/s (camera-like feeds), through the operator's MicroBatcher with
# batch.wait=adaptive and =fixed on the same arrivals (batch.max-delay 5 ms, the job's default): p50/p95/p99 from
# submission to outcome and the mean batch, side by side (docs/benchmarks.md). On the plan the job's --max-batch 64
# builds (profiles 1..64, 1..1, 1..8: a lone image runs on the batch-1 profile, so no separate batch-1 plan is
# needed). The FP16 plan takes 15 min or more to build on first use, so start it detached and poll $W/*.log and
# $W/done:
#   setsid nohup bash scripts/gpu/latency.sh > /root/latency/run.log 2>&1 &
set -u
source /root/gpu/env.sh
A=/root/gpu/app; W=/root/latency; mkdir -p "$W"
export STREAMDETECT_ENGINE_CACHE=${STREAMDETECT_ENGINE_CACHE:-$W/plans}
M=$A/shared/models/yolo11n.onnx; IMAGES=$A/shared/data/coco128/images
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader > "$W/gpu.txt"
sd() { java -Xmx8g -Dlog4j2.configurationFile=log4j2-cli.properties -cp "$A/lib/*:$GPU_RT_JARS" \
  io.streamdetect.cli.StreamDetect "$@"; }
for b in 64; do
  sd bench -m "$M" --backends tensorrt --precision fp16 --batches "$b" --latency 0.1,0.5,0.9 --rates 5,30 \
    --images "$IMAGES" --seconds 10 > "$W/latency-batch-$b.log" 2>&1
  echo "batch $b exit $?" >> "$W/exits.txt"
done
echo done > "$W/done"
