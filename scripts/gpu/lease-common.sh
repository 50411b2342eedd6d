# Sourced by the lease scripts after setting R to the checkout: the staged runtime (/root/gpu/env.sh), the app in
# $A, the plans carried in .plans/ (carried-plans.sh), the shared test files, the main model $M, coco128's images
# $IMAGES, and sd: a JVM on the app's classpath with the CLI's logging (the CLI, JUnit's console launcher).
source /root/gpu/env.sh
A=/root/gpu/app
source "$R/scripts/gpu/carried-plans.sh"
export STREAMDETECT_SHARED=$A/shared
M=$A/shared/models/yolo11n.onnx; IMAGES=$A/shared/data/coco128/images
sd() { java -Xmx8g -Dlog4j2.configurationFile=log4j2-cli.properties -cp "$A/lib/*:$GPU_RT_JARS" "$@"; }
