#!/usr/bin/env bash
# On the GPU machine staged with `bin/gpu-pack --flink`, the default plan carried in .plans/ (no build): does nvJPEG
# in a CUDA context of its own (-Dstreamdetect.nvjpeg.context=own, JpegContext) let decoding overlap inference?
# Session 4 found the two taking turns in one context (0.71x of compute-only end to end; docs/benchmarks.md). 3-4 min:
#   1. GpuPipelineGpuTest#letterboxedPixelsMatchTheCpu, shared and own: the input tensor equals the CPU path's;
#   2. bench e2e (compute only, pre-processing alone, end to end), shared then own, one JVM each;
#   3. the streaming job at defaults, 1 slot, own (compare with docs/benchmarks.md's 0.72x, or run it shared too).
# Start detached and poll $W/phase:  setsid nohup bash scripts/gpu/nvjpeg-context.sh > /root/ctx/run.log 2>&1 &
set -u
R=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source /root/gpu/env.sh
A=/root/gpu/app; W=/root/ctx; mkdir -p "$W"
source "$R/scripts/gpu/carried-plans.sh"
export STREAMDETECT_SHARED=$A/shared
M=$A/shared/models/yolo11n.onnx; IMAGES=$A/shared/data/coco128/images
sd() { java -Xmx8g -Dlog4j2.configurationFile=log4j2-cli.properties -cp "$A/lib/*:$GPU_RT_JARS" "$@"; }
echo test > "$W/phase"
sd org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=tree --include-tag gpu \
  --select-method 'io.streamdetect.preprocess.gpu.GpuPipelineGpuTest#letterboxedPixelsMatchTheCpu(java.lang.String)' \
  > "$W/test.log" 2>&1
echo "test exit $?" >> "$W/test.log"
for c in shared own; do
  echo "e2e $c" > "$W/phase"
  sd -Dstreamdetect.nvjpeg.context=$c io.streamdetect.cli.StreamDetect bench -m "$M" --backends tensorrt --precision fp16 \
    --batches 64 --images "$IMAGES" --preprocess gpu --decode-threads 0 --seconds 3 > "$W/e2e-$c.log" 2>&1
done
echo "job own" > "$W/phase"
JVM_OPTS=-Dstreamdetect.nvjpeg.context=own bash "$R/scripts/gpu/streaming-job.sh" nvjpeg-own 1 --no-latency
cp /root/jobbench/nvjpeg-own.log "$W/" 2>/dev/null
echo done > "$W/phase"
