#!/usr/bin/env bash
# The lease of 2026-12-02 (session 11). Session 10 found a saturated slot bound by its GPU pre-processing (nvJPEG and
# the letterbox kernel, 9.0-9.3 ms per batch of 63 on the prepare thread, against 8.3 ms for the engine beside it;
# the job at 0.77-0.79x of compute-only). The CPU decode assist (batch.cpu-decode-assist, on by default) has the
# TaskManager's decode pool decode part of each full batch while nvJPEG decodes the rest. This lease, every timing
# step alone:
#   0. the default plan: carried in .plans/ (then no build);
#   1. the job, 1 slot, 20,000 records, defaults (assist on) against -D batch.cpu-decode-assist=false, alternating,
#      x3: the ratio to compute-only (issue 14's 0.85), and the slot's closing log ("CPU decode assist: N images in M
#      full batches ...", the busy-window stages with "wait for cpu decodes");
#   2. GpuPipelineGpuTest's assist test on the default plan (detections on full batches split between CPU and GPU);
#   3. NmsGraphsDiagnosisGpuTest with graphs off and on, then `eval` coco8 and coco128 with graphs forced on for the
#      NMS plan against off (mAP must match): whether graphs can be the default for NMS plans;
#   4. issue 18's batch-1 target (0.741 ms, target <= 0.6 ms): a plan for batch 1 alone at builder optimisation level
#      5 (at most 13 min, copied to $W/out: bring it home), then batch 1 on it against the default plan, graphs off
#      and on.
# Stage with `bin/gpu-pack --flink`; carry .plans/ (plan and timing cache) with the last runtime part. Start this
# script IN THE SAME CALL as the last app part, and poll inside that call (sleeps of 5-10 s, up to ~280 s), then
# chain poll calls back to back: session 10 lost two machines to gaps between calls, one of them right after staging.
#   mkdir -p /root/lease/repo && cp -r scripts .plans /root/lease/repo/ && cd /root/lease/repo &&
#   (setsid nohup bash scripts/gpu/lease-next.sh > /root/lease/run.log 2>&1 < /dev/null &)     and poll /root/lease/phase
# Never start streaming-job.sh by hand without sourcing lease-common.sh from the checkout (R set): without
# STREAMDETECT_ENGINE_CACHE it builds the plan again.
set -u
R=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$R/scripts/gpu/lease-common.sh"
W=/root/lease; begin_lease "$W"
job() { watched_job "$W" "$@"; }
export WATCHDOG_S=200
for round in a b c; do
  RECORDS=20000 job "assist-on-$round" 1
  RECORDS=20000 job "assist-off-$round" 1 -D batch.cpu-decode-assist=false
done
echo "gpu test assist" > "$W/phase"
timeout 180 java -Xmx8g -Dstreamdetect.test.precision=fp16 -Dstreamdetect.test.maxBatch=64 \
  -Dlog4j2.configurationFile=log4j2-cli.properties -cp "$A/lib/*:$GPU_RT_JARS" \
  org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=tree --include-tag gpu \
  --select-method io.streamdetect.preprocess.gpu.GpuPipelineGpuTest#fullBatchesSplitBetweenTheCpuAndNvJpegGiveTheReferenceDetections \
  --select-method io.streamdetect.preprocess.gpu.GpuPipelineGpuTest#microBatcherDecodesOnTheGpuAheadOfInference \
  > "$W/gpu-test-assist.log" 2>&1
echo "exit $?" >> "$W/gpu-test-assist.log"
echo nms-graphs > "$W/phase"
timeout 150 bash "$R/scripts/gpu/nms-graphs-diagnosis.sh" > "$W/nms-graphs.log" 2>&1
cp /root/nmsdiag/summary.txt "$W/nms-graphs-summary.txt"
# coco8 runs one batch of 8 (the 1..8 profile), coco128 two of 64 (the 1..64 profile)
for data in coco8 coco128; do
  for graphs in off on; do
    echo "eval $data graphs-$graphs" > "$W/phase"
    timeout 90 sd -Dstreamdetect.tensorrt.cuda-graphs.nms=$([ $graphs = on ] && echo true || echo false) \
      io.streamdetect.cli.StreamDetect eval -m "$M" --backend tensorrt --precision fp16 --max-batch 64 \
      --data "$A/shared/data/$data" > "$W/eval-$data-graphs-$graphs.log" 2>&1
  done
done
echo "export b1-o5" > "$W/phase"
B1=$W/out/yolo11n-fp16-b1-o5.engine
timeout 780 sd io.streamdetect.cli.StreamDetect export -m "$M" --precision fp16 --max-batch 1 --opt-level 5 \
  --out "$B1" > "$W/export-b1-o5.log" 2>&1
echo "exit $?, $SECONDS s into the lease" >> "$W/export-b1-o5.log"
# the default plan through the ONNX model (batches up to 64: the carried plan), then the batch-1 plan's file
for plan in "$M:1,64" "$B1:1"; do
  file=${plan%%:*}; batches=${plan##*:}
  [ -f "$file" ] || continue
  echo "batch-1 $(basename "$file")" > "$W/phase"
  timeout 120 sd -Dstreamdetect.tensorrt.cuda-graphs.nms=true io.streamdetect.cli.StreamDetect bench -m "$file" \
    --backends tensorrt --precision fp16 --batches "$batches" --cuda-graphs off,on --seconds 3 \
    --image "$A/shared/images/bus.jpg" > "$W/batch1-$(basename "$file").log" 2>&1
done
stop_gpu_monitor
echo done > "$W/phase"
