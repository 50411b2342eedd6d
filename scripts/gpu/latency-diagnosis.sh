#!/usr/bin/env bash
# On the GPU machine staged with `bin/gpu-pack --flink`, .plans/ carried (the default plan: FP16, max batch 64, NMS
# in the plan, profiles 1..64, 1..1, 1..8, as lease-defaults.sh built it): where one slot's time goes (issues 14
# and 18). It builds nothing; without the cached plan it stops at once (a build takes 20 min or more). 3-5 min.
#   1. e2e:      bench --preprocess gpu, batch 64: compute only, GPU pre-processing alone (no inference) and end
#                to end, side by side, the header checks on the decode pool (auto) and on the prepare thread alone
#                (1). Pre-processing alone against the saturated run's "prepare: gpu upload" stage below says
#                whether nvJPEG slows down (waits) beside inference, suspect (b).
#   2. latency:  bench --latency 0.1,0.5,0.9, batch.wait adaptive and fixed, CUDA graphs on and off: each run warmed
#                up first (until no new graph is captured), then p50/p95/p99 and the stage table: mean ms per batch
#                and share of wall time of each stage of the micro-batcher (prepare thread: wait for image/buffer,
#                decode, wait for company, gpu upload, wait for engine; inference thread: wait for batch, engine,
#                post-process, callbacks), graph captures in the warm-up and in the measured window, nvJPEG
#                re-initialisations (batch size changes), for the saturated run and each rate; and per stage the
#                stretches of at least 1/2/4/8/16 ms (which stage a p99 comes from).
#   3. padding:  step 2 for graphs on and adaptive only, with nvJPEG's allocations padded by 64 MB
#                (-Dstreamdetect.nvjpeg.padding-mb): if nvJPEG frees and allocates per batch (a cudaFree waits for
#                the running inference), this row's gpu upload and p99 drop. 10% and 50% (issue 18's targets).
#   4. nvjpeg-default: the same with nvJPEG's hybrid backend instead of the JPEG engines
#                (-Dstreamdetect.nvjpeg.backend=default): whether the hardware decoder's path is what waits.
# Every JVM logs GC pauses and safepoints ($W/NAME.gc.log, uptime stamps) for suspect (d).
# Start detached, poll, collect:
#   mkdir -p /root/latdiag && setsid nohup bash scripts/gpu/latency-diagnosis.sh > /root/latdiag/run.log 2>&1 &
#   cat /root/latdiag/phase /root/latdiag/exits.txt          (until phase says done)
#   cp -r /root/latdiag/. "$OUT"/
set -u
R=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source /root/gpu/env.sh
A=/root/gpu/app; W=/root/latdiag; mkdir -p "$W"
source "$R/scripts/gpu/carried-plans.sh"
if ! ls "$STREAMDETECT_ENGINE_CACHE"/yolo11n-fp16-b64-nms-p1.8-*.engine > /dev/null 2>&1; then
  echo "no cached yolo11n-fp16-b64-nms-p1.8 plan in .plans/ or $STREAMDETECT_ENGINE_CACHE: carry .plans/ (lease-defaults.sh builds it)" \
    | tee "$W/phase"
  exit 1
fi
M=$A/shared/models/yolo11n.onnx; IMAGES=$A/shared/data/coco128/images
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader > "$W/gpu.txt"
nproc > "$W/cores.txt"
nvidia-smi --query-gpu=timestamp,utilization.gpu,memory.used --format=csv -l 1 > "$W/gpu-util.csv" &
SMI=$!
COMMON=(-m "$M" --backends tensorrt --precision fp16 --batches 64 --images "$IMAGES")
LATENCY=(--latency 0.1,0.5,0.9 --seconds 4 --latency-rounds 2 --warm-up-seconds 1)
# run NAME [JVM OPTIONS...] -- BENCH ARGS...: one JVM per step, log in $W/NAME.log, exit status and time in exits.txt
run() {
  local name=$1; shift
  # ONLY="e2e latency": run just those steps
  if [ -n "${ONLY:-}" ] && [[ " $ONLY " != *" $name "* ]]; then return 0; fi
  local jvm=()
  while [ "$1" != "--" ]; do jvm+=("$1"); shift; done
  shift
  echo "$name" > "$W/phase"
  local t=$SECONDS
  java -Xmx8g "${jvm[@]}" -Xlog:gc,safepoint:file="$W/$name.gc.log":uptime -Dlog4j2.configurationFile=log4j2-cli.properties \
    -cp "$A/lib/*:$GPU_RT_JARS" io.streamdetect.cli.StreamDetect bench "${COMMON[@]}" "$@" > "$W/$name.log" 2>&1
  echo "$name exit $?, $((SECONDS - t)) s" >> "$W/exits.txt"
}
run e2e -- --preprocess gpu --decode-threads 0,1 --seconds 3
run latency -- "${LATENCY[@]}" --cuda-graphs on,off --batch-wait adaptive,fixed
EXPERIMENT=(--latency 0.1,0.5 --seconds 3 --latency-rounds 2 --warm-up-seconds 1 --cuda-graphs on --batch-wait adaptive)
run padding -Dstreamdetect.nvjpeg.padding-mb=64 -- "${EXPERIMENT[@]}"
run nvjpeg-default -Dstreamdetect.nvjpeg.backend=default -- "${EXPERIMENT[@]}"
kill "$SMI" 2>/dev/null
echo done > "$W/phase"
