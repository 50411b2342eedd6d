#!/usr/bin/env bash
# Issue 17: once the yolov8n/yolo26n FP16 exports in $W (profiles-and-models.sh) are done, predict bus.jpg and
# evaluate coco128 with each.
set -u
source /root/gpu/env.sh
A=/root/gpu/app; W=/root/pm
export STREAMDETECT_ENGINE_CACHE=${STREAMDETECT_ENGINE_CACHE:-$W/plans} STREAMDETECT_SHARED=$A/shared
D=$A/shared/data; BUS=$A/shared/images/bus.jpg
JAVA=(java --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED
      --add-opens=java.base/java.nio=ALL-UNNAMED -Dlog4j2.configurationFile=log4j2-cli.properties)
sd() { "${JAVA[@]}" -Xmx4g -cp "$A/lib/*:$GPU_RT_JARS" io.streamdetect.cli.StreamDetect "$@"; }
while pgrep -f 'java.*export' > /dev/null; do sleep 2; done
for m in yolov8n yolo26n; do
  [ -f "$W/$m-fp16.engine" ] || continue
  sd predict -m "$W/$m-fp16.engine" --backend tensorrt "$BUS" > "$W/predict-$m-fp16.log" 2>&1
  sd eval -m "$W/$m-fp16.engine" --backend tensorrt --max-batch 1 --data "$D/coco128" > "$W/eval-$m-fp16.log" 2>&1
  echo "exit $?" >> "$W/eval-$m-fp16.log"
done
echo "exit 0" > "$W/modelsdone"
