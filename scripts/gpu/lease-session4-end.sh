#!/usr/bin/env bash
# The last minutes of session 4's device time (about 4 of them), on the carried default plan: whether graphs
# captured before serving (MicroBatcher warm-up) leave none to capture while serving and what that does to the p99
# at 10% and 50% load; GraphsAndProfilesGpuTest on the same plan (NMS in it, as a default job builds it); and bench
# e2e with nvJPEG's hybrid backend instead of the JPEG engines (does that decode overlap inference?).
set -u
R=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source /root/gpu/env.sh
A=/root/gpu/app; W=/root/lease; mkdir -p "$W"
source "$R/scripts/gpu/carried-plans.sh"
export STREAMDETECT_SHARED=$A/shared
M=$A/shared/models/yolo11n.onnx; IMAGES=$A/shared/data/coco128/images
sd() { java -Xmx8g -Dlog4j2.configurationFile=log4j2-cli.properties -cp "$A/lib/*:$GPU_RT_JARS" "$@"; }
echo latency > "$W/phase"
sd io.streamdetect.cli.StreamDetect bench -m "$M" --backends tensorrt --precision fp16 --batches 64 --images "$IMAGES" \
  --latency 0.1,0.5 --seconds 4 --latency-rounds 2 --warm-up-seconds 1 --cuda-graphs on --batch-wait adaptive \
  > "$W/latency-warm.log" 2>&1
echo tests > "$W/phase"
sd org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=tree --include-tag gpu \
  --select-class io.streamdetect.engine.tensorrt.GraphsAndProfilesGpuTest > "$W/tests.log" 2>&1
echo "tests exit $?" >> "$W/tests.log"
echo nvjpeg-default > "$W/phase"
sd -Dstreamdetect.nvjpeg.backend=default io.streamdetect.cli.StreamDetect bench -m "$M" --backends tensorrt \
  --precision fp16 --batches 64 --images "$IMAGES" --preprocess gpu --decode-threads 1 --seconds 3 > "$W/e2e-hybrid.log" 2>&1
echo done > "$W/phase"
