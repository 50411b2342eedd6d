#!/usr/bin/env bash
# On the GPU machine staged with bin/gpu-pack: issue 6's measurements. Start detached and poll $W/*.log, $W/done:
#   setsid nohup bash scripts/gpu/gpu-pipeline.sh > /root/pipe/run.log 2>&1 &
# 1. the GPU pipeline tests on an FP16 batch-64 plan with NMS (building it takes ~10 min on an H100): GPU vs CPU
#    pre-processing on every encoding of testing/VariedImages, letterboxed pixels, bus.jpg vs the reference;
# 2. `bench` end to end at batch 64, FP16, NMS in the engine: compute-only, GPU pre-processing alone, CPU and
#    GPU pre-processing end to end, for 1, 2 and 4 streams (sessions, as task slots), with nvJPEG's hardware
#    decoder; 3. where Nsight Systems is installed, a profile of a 2-stream run (kernel and API time).
# The plan cache ($W/plans) is worth fetching back: carried to the next machine, it saves the ~10 min build.
set -u
source /root/gpu/env.sh
A=/root/gpu/app; W=/root/pipe; mkdir -p "$W"
export STREAMDETECT_ENGINE_CACHE=$W/plans STREAMDETECT_SHARED=$A/shared
M=$A/shared/models/yolo11n.onnx; IMAGES=$A/shared/data/coco8/images
JAVA=(java -Xmx8g --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED
      --add-opens=java.base/java.nio=ALL-UNNAMED -Dlog4j2.configurationFile=log4j2.properties)
sd() { "${JAVA[@]}" ${EXTRA:-} -cp "$A/lib/*:$GPU_RT_JARS" io.streamdetect.cli.StreamDetect "$@"; }
tests() { # precision max-batch
  "${JAVA[@]}" -Dstreamdetect.test.precision="$1" -Dstreamdetect.test.maxBatch="$2" -cp "$A/lib/*:$GPU_RT_JARS" \
    org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=tree \
    --select-class io.streamdetect.preprocess.gpu.GpuPipelineGpuTest --include-tag gpu
}
bench() { # streams
  sd bench -m "$M" --backends tensorrt --precision fp16 --batches 64 --nms engine --preprocess cpu,gpu \
    --images "$IMAGES" --streams "$1" --seconds 5
}
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader > "$W/gpu.txt"
tests fp16 64 > "$W/test-fp16-b64.log" 2>&1
for s in 1 2 4; do bench "$s" > "$W/bench-streams-$s.log" 2>&1; done
# where the GPU time goes, when Nsight Systems is installed: kernels and CUDA API calls of a 2-stream run
if command -v nsys >/dev/null; then
  nsys profile --trace=cuda --force-overwrite=true -o "$W/bench-streams-2" \
    "${JAVA[@]}" -cp "$A/lib/*:$GPU_RT_JARS" io.streamdetect.cli.StreamDetect bench -m "$M" --backends tensorrt \
    --precision fp16 --batches 64 --nms engine --preprocess gpu --images "$IMAGES" --streams 2 --seconds 3 \
    > "$W/nsys-run.log" 2>&1
  nsys stats --report cuda_gpu_kern_sum --report cuda_api_sum --report cuda_gpu_mem_time_sum \
    "$W/bench-streams-2.nsys-rep" > "$W/nsys-stats.txt" 2>&1
fi
echo "exit $?" > "$W/done"
