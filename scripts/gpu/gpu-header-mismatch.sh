#!/usr/bin/env bash
# On the GPU machine staged with bin/gpu-pack: issue 13 item 3's GPU part. A JPEG whose letterbox was made for
# another size than nvJPEG parses goes to the CPU path (GpuHeaderMismatchGpuTest), and the GPU pipeline tests still
# pass with the kernel's clamp (GpuPipelineGpuTest). Uses the plan gpu-pipeline.sh builds (FP16, batch 64, NMS);
# carry its plan cache ($W/plans) to skip the ~10 min build, or pass another precision/batch whose plan is cached.
#   setsid nohup bash scripts/gpu/gpu-header-mismatch.sh [fp16 64] > /root/pipe/mismatch.log 2>&1 &
set -u
source /root/gpu/env.sh
A=/root/gpu/app; W=/root/pipe; mkdir -p "$W"
export STREAMDETECT_ENGINE_CACHE=$W/plans STREAMDETECT_SHARED=$A/shared
PRECISION=${1:-fp16}; BATCH=${2:-64}
java -Xmx8g --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
  --add-opens=java.base/java.nio=ALL-UNNAMED -Dlog4j2.configurationFile=log4j2.properties \
  -Dstreamdetect.test.precision="$PRECISION" -Dstreamdetect.test.maxBatch="$BATCH" -cp "$A/lib/*:$GPU_RT_JARS" \
  org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=tree --include-tag gpu \
  --select-class io.streamdetect.preprocess.gpu.GpuHeaderMismatchGpuTest \
  --select-class io.streamdetect.preprocess.gpu.GpuPipelineGpuTest > "$W/test-header-mismatch.log" 2>&1
echo "exit $?" > "$W/done-header-mismatch"
