#!/usr/bin/env bash
# On the GPU machine staged with bin/gpu-pack: is GPU pre-processing bounded by the JPEG decoder or by the engine?
# An FP32 batch-64 plan with NMS (quicker to build than FP16), then `bench` with the "gpu pre-processing only" row
# for 1 and 2 streams on nvJPEG's hardware decoder, and 2 streams on its default (hybrid) backend.
#   setsid nohup bash scripts/gpu/gpu-decode-limit.sh > /root/pipe/run.log 2>&1 &
set -u
source /root/gpu/env.sh
A=/root/gpu/app; W=/root/pipe; mkdir -p "$W"
export STREAMDETECT_ENGINE_CACHE=$W/plans
M=$A/shared/models/yolo11n.onnx; IMAGES=$A/shared/data/coco8/images
sd() { java -Xmx8g ${EXTRA:-} -Dlog4j2.configurationFile=log4j2-cli.properties -cp "$A/lib/*:$GPU_RT_JARS" \
  io.streamdetect.cli.StreamDetect "$@"; }
bench() { sd bench -m "$M" --backends tensorrt --precision fp32 --batches 64 --nms engine --preprocess gpu \
  --images "$IMAGES" --streams "$1" --seconds 4; }
bench 1 > "$W/decode-limit-streams-1.log" 2>&1
bench 2 > "$W/decode-limit-streams-2.log" 2>&1
EXTRA=-Dstreamdetect.nvjpeg.backend=default bench 2 > "$W/decode-limit-streams-2-default.log" 2>&1
echo "exit $?" > "$W/done"
