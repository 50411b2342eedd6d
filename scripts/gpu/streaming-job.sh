#!/usr/bin/env bash
# On the GPU machine staged with `bin/gpu-pack --flink` (the benchmark and the in-process broker need it): issue 14's
# measurement. The streaming job at default settings, given only --backend tensorrt --precision fp16
# --max-batch 64 and the model, through an in-process KRaft broker, beside `bench`'s compute-only throughput of the
# same plan in the same run (StreamingJobBenchmark; docs/benchmarks.md): steady and wall img/s, records committed
# (read_committed) and duplicate ids out of 20,000 JPEG records, failed checkpoints with their reasons, GPU memory
# per slot, and latency p50/p95/p99 at 25/50/90% of the steady rate.
#   streaming-job.sh                       every step below, in order
#   streaming-job.sh NAME SLOTS [ARGS...]  one step: log in $W/NAME.log, exit status in $W/exits.txt
# RECORDS=N in the environment writes N records instead of 20,000.
# The FP16 batch-64 plan takes 15 min or more to build on first use and a device call lasts at most 10 minutes, so
# start it detached and poll $W/*.log and $W/done:
#   setsid nohup bash scripts/gpu/streaming-job.sh > /root/jobbench/run.log 2>&1 &
set -u
source /root/gpu/env.sh
A=/root/gpu/app; W=/root/jobbench; mkdir -p "$W"
export STREAMDETECT_ENGINE_CACHE=${STREAMDETECT_ENGINE_CACHE:-$W/plans} STREAMDETECT_SHARED=$A/shared
# plans carried here from .plans/ arrive read-only: the timing cache must be writable, or no build saves its timings
mkdir -p "$STREAMDETECT_ENGINE_CACHE"; chmod -R u+w "$STREAMDETECT_ENGINE_CACHE"
export STREAMDETECT_CACHE=$W/cache
JAVA=("$A/jre/bin/java" -Xmx16g ${JVM_OPTS:-} --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED
      --add-opens=java.base/java.nio=ALL-UNNAMED -Dlog4j2.configurationFile=log4j2.properties)
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader > "$W/gpu.txt"
nproc > "$W/cores.txt"

# one JVM per step, so each starts with the GPU as bare as the first
step() {
  local name=$1 slots=$2; shift 2
  "${JAVA[@]}" -cp "$A/lib/*:$GPU_RT_JARS" io.streamdetect.bench.StreamingJobBenchmark \
    --model "$A/shared/models/yolo11n.onnx" --images "$A/shared/data/coco8/images" \
    --backend tensorrt --precision fp16 --max-batch 64 --records "${RECORDS:-20000}" --slots "$slots" \
    --seconds 5 --work-dir "$W/checkpoints-$name" "$@" > "$W/$name.log" 2>&1
  echo "$name exit $?" >> "$W/exits.txt"
}
if [ $# -gt 0 ]; then step "$@"; exit 0; fi

step slots-1 1 --latency-seconds 10
# CPU pre-processing in the same job (issue 14: >= 2,000 img/s on the 16-core host), throughput only
step slots-1-preprocess-cpu 1 -D preprocess=cpu --no-latency
step slots-1-restarts-20 1 --no-latency --restarts 20
step slots-2 2 --latency-seconds 10
step slots-4 4 --no-latency
echo "exit 0" > "$W/done"
