#!/usr/bin/env bash
# On the GPU machine staged with bin/gpu-pack: issue 17's hot model swap on TensorRT FP16.
#   setsid nohup bash scripts/gpu/model-swap.sh > /root/swap/run.log 2>&1 &     then poll /root/swap/done
# 1. builds (or finds in the plan cache) the FP16 plans of yolo11n (batch 1..8) and yolo26n (batch fixed at 1);
#    carry the plan cache of scripts/gpu/exported-models.sh (/root/models/plans) to skip that;
# 2. runs ModelSwitcherGpuTest: yolo26n's plan taken on the watcher thread while yolo11n keeps detecting, then the
#    switch (each image once, by one model), a 32x32 model refused, a restore on the accepted model.
set -u
source /root/gpu/env.sh
A=/root/gpu/app; W=/root/swap; mkdir -p "$W"
export STREAMDETECT_ENGINE_CACHE=${STREAMDETECT_ENGINE_CACHE:-/root/models/plans} STREAMDETECT_SHARED=$A/shared
JAVA=(java --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED
      --add-opens=java.base/java.nio=ALL-UNNAMED -Dlog4j2.configurationFile=log4j2-cli.properties)
sd() { "${JAVA[@]}" -Xmx4g -cp "$A/lib/*:$GPU_RT_JARS" io.streamdetect.cli.StreamDetect "$@"; }
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader > "$W/gpu.txt"
for m in yolo11n yolo26n; do
  sd export -m "$A/shared/models/$m.onnx" --precision fp16 --max-batch 8 --out "$W/$m-fp16.engine" \
    > "$W/export-$m.log" 2>&1 &
done
wait
"${JAVA[@]}" -Xmx8g -Dstreamdetect.test.swap-wait-minutes=15 -cp "$A/lib/*:$GPU_RT_JARS" \
  org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=tree \
  --select-class io.streamdetect.flink.ModelSwitcherGpuTest --include-tag gpu > "$W/test-model-swap.log" 2>&1
echo "test exit $?" >> "$W/test-model-swap.log"
touch "$W/done"
