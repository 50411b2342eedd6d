# Sourced by the lease scripts after setting R to the checkout: the staged runtime (/root/gpu/env.sh), the app in
# $A, the plans carried in .plans/ (carried-plans.sh), the shared test files, the main model $M, coco128's images
# $IMAGES, and sd: a JVM on the app's classpath with the CLI's logging (the CLI, JUnit's console launcher).
source /root/gpu/env.sh
A=/root/gpu/app
source "$R/scripts/gpu/carried-plans.sh"
export STREAMDETECT_SHARED=$A/shared
M=$A/shared/models/yolo11n.onnx; IMAGES=$A/shared/data/coco128/images
sd() { java -Xmx8g -Dlog4j2.configurationFile=log4j2-cli.properties -cp "$A/lib/*:$GPU_RT_JARS" "$@"; }
# sd_flink: sd on the app's own Java runtime, which has java.rmi for Flink's MiniCluster (bin/gpu-pack --flink)
sd_flink() {
  "$A/jre/bin/java" -Xmx8g --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
    -Dlog4j2.configurationFile=log4j2-cli.properties -cp "$A/lib/*:$GPU_RT_JARS" "$@"
}

# export_default_plan W: the plan a default job uses (yolo11n FP16, max batch 64, NMS in the plan, auto profiles),
# built unless carried (~18 min on an H200 from a cold timing cache); plan and timing cache copied to W/out.
export_default_plan() {
  local w=$1 t=$SECONDS
  mkdir -p "$w/out"
  if ! ls "$STREAMDETECT_ENGINE_CACHE"/*fp16-b64-nms* > /dev/null 2>&1; then
    sd io.streamdetect.cli.StreamDetect export -m "$M" --precision fp16 --max-batch 64 \
      --out "$w/yolo11n-fp16-b64.engine" > "$w/export.log" 2>&1
    echo "exit $?, took $((SECONDS - t)) s" >> "$w/export.log"
  fi
  cp "$STREAMDETECT_ENGINE_CACHE"/*fp16-b64* "$STREAMDETECT_ENGINE_CACHE"/timing-* "$w/out/"
  touch "$w/out/ready"
}

# begin_lease W: the lease's folder W (W/out holds what must come home), the GPU monitor, and the default plan,
# built unless carried (export_default_plan). Every lease script starts with it.
begin_lease() {
  mkdir -p "$1/out"
  start_gpu_monitor "$1"
  echo export > "$1/phase"
  export_default_plan "$1"
}

# Kafka's own consumer fetch sizes, which the streaming job's ImageFetchDefaults replace: a baseline to run against
KAFKA_FETCH_SIZES=(kafka.max.partition.fetch.bytes=1048576 kafka.fetch.max.bytes=52428800 kafka.receive.buffer.bytes=65536)

# watched_job W NAME SLOTS [ARGS...]: streaming-job.sh's step (1 slot count, no latency runs), with a thread dump
# into its log if it runs past WATCHDOG_S seconds (default 120) and a kill 15 s later; its log copied to W.
watched_job() {
  local w=$1 name=$2 slots=$3; shift 3
  echo "job $name" > "$w/phase"
  ( sleep "${WATCHDOG_S:-120}"; pkill -QUIT -f "[S]treamingJobBenchmark"; sleep 15; pkill -9 -f "[S]treamingJobBenchmark" ) &
  local watchdog=$!
  bash "$R/scripts/gpu/streaming-job.sh" "$name" "$slots" --no-latency "$@"
  kill "$watchdog" 2>/dev/null
  cp "/root/jobbench/$name.log" "$w/"
}

# start_gpu_monitor W: GPU memory and utilisation every 2 s into W/gpu-memory.csv until stop_gpu_monitor
start_gpu_monitor() {
  nvidia-smi --query-gpu=timestamp,memory.used,utilization.gpu --format=csv -l 2 > "$1/gpu-memory.csv" &
  GPU_MONITOR=$!
}
stop_gpu_monitor() { kill "$GPU_MONITOR" 2>/dev/null; }

# gpu_tests W NAME CLASS#METHOD...: those GPU-tagged JUnit methods through the console launcher (FP16, max batch 64),
# their tree into W/NAME.log
gpu_tests() {
  local w=$1 name=$2; shift 2
  echo "$name" > "$w/phase"
  local selected=()
  for m in "$@"; do selected+=(--select-method "$m"); done
  timeout 150 java -Xmx8g -Dlog4j2.configurationFile=log4j2-cli.properties -Dstreamdetect.test.precision=fp16 \
    -Dstreamdetect.test.maxBatch=64 -cp "$A/lib/*:$GPU_RT_JARS" org.junit.platform.console.ConsoleLauncher execute \
    --disable-banner --details=tree --include-tag gpu "${selected[@]}" > "$w/$name.log" 2>&1
}

# b1_latency W NAME SLOTS [BENCH-ARGS...]: `bench --latency 0.1` on the batch-1 level-5 plan (NMS in it) with SLOTS
# slots, 3 rounds of 5 s after a 1 s warm-up, adaptive batching; its tables into W/latency-NAME.log
b1_latency() {
  local w=$1 name=$2 slots=$3; shift 3
  echo "latency $name" > "$w/phase"
  timeout 150 java -Xmx8g -Dlog4j2.configurationFile=log4j2-cli.properties -cp "$A/lib/*:$GPU_RT_JARS" \
    io.streamdetect.cli.StreamDetect bench -m "$STREAMDETECT_ENGINE_CACHE/yolo11n-fp16-b1-o5.engine" --backends tensorrt \
    --precision fp16 --batches 1 --images "$IMAGES" --streams "$slots" --latency 0.1 --seconds 5 --latency-rounds 3 \
    --warm-up-seconds 1 --batch-wait adaptive "$@" > "$w/latency-$name.log" 2>&1
}
