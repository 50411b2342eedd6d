#!/usr/bin/env bash
# On the GPU machine staged with `bin/gpu-pack --flink` (the benchmark and the in-process broker need it): issue 14's
# measurement. The streaming job at default settings, given only --backend tensorrt --precision fp16
# --max-batch 64 and the model, through an in-process KRaft broker, for 1, 2 and 4 task slots, beside `bench`'s
# compute-only throughput of the same plan in the same run (StreamingJobBenchmark; docs/benchmarks.md):
# steady and wall img/s, records committed (read_committed) and duplicate ids out of 20,000 JPEG records,
# failed checkpoints with their reasons, GPU memory per slot, and latency p50/p95/p99 at 25/50/90% of the
# steady rate; with one slot also 20 forced task restarts (GPU memory after the first and the 20th). A device call lasts at most 10 minutes and the FP16 batch-64 plan takes ~10 min to build on
# first use, so start it detached and poll $W/*.log and $W/done:
#   setsid nohup bash scripts/gpu/streaming-job.sh > /root/jobbench/run.log 2>&1 &
# The plan cache ($W/plans) is worth fetching back: carried to the next machine, it saves the build.
set -u
source /root/gpu/env.sh
A=/root/gpu/app; W=/root/jobbench; mkdir -p "$W"
export STREAMDETECT_ENGINE_CACHE=${STREAMDETECT_ENGINE_CACHE:-$W/plans} STREAMDETECT_SHARED=$A/shared
# plans carried here from .plans/ arrive read-only: the timing cache must be writable, or no build saves its timings
mkdir -p "$STREAMDETECT_ENGINE_CACHE"; chmod -R u+w "$STREAMDETECT_ENGINE_CACHE"
export STREAMDETECT_CACHE=$W/cache
JAVA=("$A/jre/bin/java" -Xmx16g --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED
      --add-opens=java.base/java.nio=ALL-UNNAMED -Dlog4j2.configurationFile=log4j2.properties)
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader > "$W/gpu.txt"
nproc > "$W/cores.txt"
# one JVM per slot count, so each starts with the GPU as bare as the first
for s in 1 2 4; do
  "${JAVA[@]}" -cp "$A/lib/*:$GPU_RT_JARS" io.streamdetect.bench.StreamingJobBenchmark \
    --model "$A/shared/models/yolo11n.onnx" --images "$A/shared/data/coco8/images" \
    --backend tensorrt --precision fp16 --max-batch 64 --records 20000 --slots "$s" \
    --seconds 5 --latency-seconds 10 $([ "$s" = 1 ] && echo --restarts 20) \
    --work-dir "$W/checkpoints-$s" > "$W/slots-$s.log" 2>&1
  echo "slots $s exit $?" >> "$W/exits.txt"
done
# CPU pre-processing in the same job (issue 14: >= 2,000 img/s on the 16-core host), throughput only
"${JAVA[@]}" -cp "$A/lib/*:$GPU_RT_JARS" io.streamdetect.bench.StreamingJobBenchmark \
  --model "$A/shared/models/yolo11n.onnx" --images "$A/shared/data/coco8/images" \
  --backend tensorrt --precision fp16 --max-batch 64 --records 20000 --slots 1 -D preprocess=cpu --no-latency \
  --seconds 5 --work-dir "$W/checkpoints-cpu" > "$W/slots-1-preprocess-cpu.log" 2>&1
echo "preprocess cpu exit $?" >> "$W/exits.txt"
echo "exit 0" > "$W/done"
