#!/usr/bin/env bash
# The lease after 2026-12-01 session 4, on the default FP16 max-64 plan carried in .plans/ (no build first). Every
# timing step runs alone, in this order:
#   1. the streaming job at defaults, 1 and 2 slots (plans with NMS in them now run without CUDA graphs);
#   2. preprocess=cpu (the decode pool now turns OpenCV's own thread pool off; issue 14 asks >= 2,000 img/s);
#   3. scripts/gpu/nvjpeg-context.sh: nvJPEG in a CUDA context of its own, pixels checked, e2e and the job;
#   4. bench --latency 0.1,0.5 on the default plan (no graphs there now), for issue 18's table;
#   5. scripts/gpu/nms-graphs-diagnosis.sh: why NMS plans lost their detections after a graph capture (1-2 min);
#   6. GraphsAndProfilesGpuTest's NMS-plan test (no build). Its graph tests, the MicroBatcher warm-up one included,
#      need the host-NMS plan (a build of ~15 min at max batch 64): left out here;
#   7. issue 17's INT8 evals with min-max calibration (three builds side by side, ~3 min), last: they load the GPU.
# Stage with `bin/gpu-pack --flink`; carry only the default plan and the timing cache from .plans/, then:
#   mkdir -p /root/lease/repo && cp -r scripts .plans /root/lease/repo/ && cd /root/lease/repo &&
#   setsid nohup bash scripts/gpu/lease-next.sh > /root/lease/run.log 2>&1 < /dev/null &     and poll /root/lease/phase
# Keep calls less than 30 s apart (poll with calls that sleep inside): the machine goes back after ~30 s idle.
set -u
R=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source /root/gpu/env.sh
A=/root/gpu/app; W=/root/lease; mkdir -p "$W"
source "$R/scripts/gpu/carried-plans.sh"
export STREAMDETECT_SHARED=$A/shared
nvidia-smi --query-gpu=timestamp,memory.used,utilization.gpu --format=csv -l 2 > "$W/gpu-memory.csv" &
J=$R/scripts/gpu/streaming-job.sh
for s in defaults:1:--no-latency slots-2:2:--no-latency preprocess-cpu:1:--no-latency:-D:preprocess=cpu; do
  echo "job ${s%%:*}" > "$W/phase"
  bash "$J" ${s//:/ }
done
echo nvjpeg-context > "$W/phase"
bash "$R/scripts/gpu/nvjpeg-context.sh" > "$W/nvjpeg-context.log" 2>&1
echo latency > "$W/phase"
java -Xmx8g -Dlog4j2.configurationFile=log4j2-cli.properties -cp "$A/lib/*:$GPU_RT_JARS" io.streamdetect.cli.StreamDetect \
  bench -m "$A/shared/models/yolo11n.onnx" --backends tensorrt --precision fp16 --batches 64 \
  --images "$A/shared/data/coco128/images" --latency 0.1,0.5 --seconds 4 --latency-rounds 2 --warm-up-seconds 1 \
  --batch-wait adaptive > "$W/latency.log" 2>&1
echo nms-graphs > "$W/phase"
bash "$R/scripts/gpu/nms-graphs-diagnosis.sh" > "$W/nms-graphs.log" 2>&1
echo tests > "$W/phase"
java -Xmx8g -Dlog4j2.configurationFile=log4j2-cli.properties -cp "$A/lib/*:$GPU_RT_JARS" \
  org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=tree --include-tag gpu \
  --select-method 'io.streamdetect.engine.tensorrt.GraphsAndProfilesGpuTest#aPlanWithNmsInItRunsWithoutGraphsAndFindsTheBusOnEveryProfile' \
  > "$W/tests.log" 2>&1
echo "tests exit $?" >> "$W/tests.log"
echo int8-minmax > "$W/phase"
# issue 17's INT8 rows again, now min-max calibrated (entropy lost 0.06-0.10 mAP50-95): three builds side by side
for m in yolo11n yolov8n yolo26n; do
  RUNS="$m:int8" TAG=-minmax EXPORT_ARGS="--nms host" W=/root/models/$m-int8-minmax \
    bash "$R/scripts/gpu/lease-exported-models.sh" > "/root/models-$m-int8-minmax.log" 2>&1 &
done
wait
grep -H "^all" /root/models/*-int8-minmax/eval-*.log > "$W/int8-minmax.txt"
echo done > "$W/phase"
