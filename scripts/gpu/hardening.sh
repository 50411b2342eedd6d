#!/usr/bin/env bash
# On the GPU machine staged with bin/gpu-pack: issue 13's GPU regression tests (device set on every thread, no
# execution context leaked per failover, a missing device's message) on an FP32 batch-8 plan (~3 min to build
# cold; seconds with the plan cache carried in). Start detached and poll $W/done:
#   setsid nohup bash scripts/gpu/hardening.sh > /root/hard/run.log 2>&1 &
# Afterwards copy $W/plans/* (and the logs) into $OUT: carried to the next machine, they save the build.
set -u
source /root/gpu/env.sh
A=/root/gpu/app; W=/root/hard; mkdir -p "$W"
export STREAMDETECT_ENGINE_CACHE=${STREAMDETECT_ENGINE_CACHE:-$W/plans} STREAMDETECT_SHARED=$A/shared
JAVA=(java -Xmx8g --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED
      --add-opens=java.base/java.nio=ALL-UNNAMED -Dlog4j2.configurationFile=log4j2.properties)
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader > "$W/gpu.txt"
"${JAVA[@]}" -Dstreamdetect.test.maxBatch=8 -cp "$A/lib/*:$GPU_RT_JARS" \
  org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=tree --include-tag gpu \
  --select-method 'io.streamdetect.engine.tensorrt.TensorRtGpuTest#failoversReuseTheExecutionContextsOfTheCachedEngine(io.streamdetect.engine.Precision)' \
  --select-method 'io.streamdetect.engine.tensorrt.TensorRtGpuTest#aRunFromAThreadWithAnotherCurrentContextUsesTheSessionsDevice(io.streamdetect.engine.Precision)' \
  --select-method 'io.streamdetect.engine.tensorrt.TensorRtGpuTest#aMissingDeviceFailsWithAClearMessage()' \
  --select-method 'io.streamdetect.engine.tensorrt.TensorRtGpuTest#openingAndClosingSessionsLeaksNoGpuMemory(io.streamdetect.engine.Precision)' \
  ${TESTS_EXTRA:-} > "$W/test-hardening.log" 2>&1
echo "exit $?" > "$W/done"
