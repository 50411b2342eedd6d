#!/usr/bin/env bash
# Issue 18 on a smaller plan when the batch-64 builds do not fit a lease: yolo11n FP16, max batch 8, default
# profiles (1..8, 1..1), raw output. Builds it, benches batch 1/2/8 with graphs off/on and pinned/best-fit
# profiles, runs GraphsAndProfilesGpuTest at max batch 8, evaluates coco8 with graphs on and off and coco128.
set -u
source /root/gpu/env.sh
A=/root/gpu/app; W=/root/pm; mkdir -p "$W"
export STREAMDETECT_ENGINE_CACHE=${STREAMDETECT_ENGINE_CACHE:-$W/plans} STREAMDETECT_SHARED=$A/shared
# plans carried here from .plans/ arrive read-only: the timing cache must be writable, or no build saves its timings
mkdir -p "$STREAMDETECT_ENGINE_CACHE"; chmod -R u+w "$STREAMDETECT_ENGINE_CACHE"
M=$A/shared/models; D=$A/shared/data; BUS=$A/shared/images/bus.jpg
JAVA=(java --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED
      --add-opens=java.base/java.nio=ALL-UNNAMED -Dlog4j2.configurationFile=log4j2-cli.properties)
sd() { "${JAVA[@]}" -Xmx4g -cp "$A/lib/*:$GPU_RT_JARS" io.streamdetect.cli.StreamDetect "$@"; }
FP16=(-m "$M/yolo11n.onnx" --backend tensorrt --precision fp16 --max-batch 8)
echo b8build > "$W/phase"
t=$SECONDS; sd predict "${FP16[@]}" --nms host "$BUS" > "$W/build-b8.log" 2>&1
echo "took $((SECONDS - t)) s, exit $?" >> "$W/build-b8.log"
echo bench > "$W/phase"
sd bench -m "$M/yolo11n.onnx" --backends tensorrt --precision fp16 --batches 1,2,8 --nms host \
  --cuda-graphs off,on --pin-profile 0,-1 --seconds 2 --image "$BUS" > "$W/bench-b8.log" 2>&1
echo tests > "$W/phase"
"${JAVA[@]}" -Xmx8g -Dstreamdetect.test.maxBatch=8 -Dstreamdetect.test.precision=fp16 -cp "$A/lib/*:$GPU_RT_JARS" \
  org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=tree --include-tag gpu \
  --select-class io.streamdetect.engine.tensorrt.GraphsAndProfilesGpuTest > "$W/tests.log" 2>&1
echo "tests exit $?" >> "$W/tests.log"
echo eval > "$W/phase"
for g in --cuda-graphs --no-cuda-graphs; do
  sd eval "${FP16[@]}" $g --data "$D/coco8" > "$W/eval-coco8-yolo11n-fp16$g.log" 2>&1
done
sd eval "${FP16[@]}" --data "$D/coco128" > "$W/eval-yolo11n-fp16.log" 2>&1; echo "exit $?" >> "$W/eval-yolo11n-fp16.log"
echo "exit 0" > "$W/b8done"
