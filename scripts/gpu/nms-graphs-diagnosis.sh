#!/usr/bin/env bash
# On the GPU machine staged with `bin/gpu-pack --flink`, the default plan carried in .plans/ (no build): why did a
# plan with NMS in it return no detections after a CUDA graph capture on another profile (docs/benchmarks.md,
# session 4)? NmsGraphsDiagnosisGpuTest, one JVM per setting, about 30 s each:
#   graphs off (-D...nms=false) | graphs on (the default since session 11). Session 5 also ran it with one activation block per
#   context (a diagnosis property since removed): no failure in any setting.
# Each prints per run whether the bus was found; /root/nmsdiag/summary.txt has the lines.
set -u
R=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$R/scripts/gpu/lease-common.sh"
W=/root/nmsdiag; mkdir -p "$W"
for setting in "off:-Dstreamdetect.tensorrt.cuda-graphs.nms=false" "on:-Dstreamdetect.tensorrt.cuda-graphs.nms=true"; do
  name=${setting%%:*}; opts=${setting#*:}
  echo "$name" > "$W/phase"
  # shellcheck disable=SC2086
  java -Xmx8g $opts -Dlog4j2.configurationFile=log4j2-cli.properties -cp "$A/lib/*:$GPU_RT_JARS" \
    org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=tree --include-tag gpu \
    --select-class io.streamdetect.engine.tensorrt.NmsGraphsDiagnosisGpuTest > "$W/$name.log" 2>&1
  echo "== $name (exit $?)" >> "$W/summary.txt"
  grep -E "^graphs|^run [0-9]|^(direct|graphed) run" "$W/$name.log" >> "$W/summary.txt"
done
echo done > "$W/phase"
