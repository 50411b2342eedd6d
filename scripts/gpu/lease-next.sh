#!/usr/bin/env bash
# The lease after 2026-12-01 session 3, on the default FP16 max-64 plan carried in .plans/ (no build): what is left of
# issues 14 and 18 on that plan, then issue 17's builds with whatever time remains. Every step runs alone, in this
# order (each one settles something the one before cannot):
#   1. the streaming job at defaults, twice, then with one switch changed per run: tensorrt.cuda-graphs=false,
#      batch.wait=fixed, decode.threads=1 (a bisection of the 0.65-0.72x of compute-only measured in session 3,
#      against 0.85-0.91 before session 2's changes), and preprocess=cpu (the row-writing CPU letterbox);
#   2. GraphsAndProfilesGpuTest on this plan (never re-run since session 2's fixes);
#   3. scripts/gpu/latency-diagnosis.sh: the latency bench with a warm-up and the stage breakdown (issue 18);
#   4. 20 forced failovers with the per-attempt GPU memory (issue 14);
#   5. scripts/gpu/lease-exported-models.sh (issue 17), plans copied to /root/models/out as they finish.
# Stage with `bin/gpu-pack --flink`; carry only the default plan and the timing cache from .plans/ (19 MB; the whole
# folder is over a carry's 64 MiB), then:
#   mkdir -p /root/lease/repo && cp -r scripts .plans /root/lease/repo/ && cd /root/lease/repo &&
#   setsid nohup bash scripts/gpu/lease-next.sh > /root/lease/run.log 2>&1 < /dev/null &     and poll /root/lease/phase
set -u
R=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source /root/gpu/env.sh
A=/root/gpu/app; W=/root/lease; mkdir -p "$W"
source "$R/scripts/gpu/carried-plans.sh"
nvidia-smi --query-gpu=timestamp,memory.used,utilization.gpu --format=csv -l 2 > "$W/gpu-memory.csv" &
J=$R/scripts/gpu/streaming-job.sh
for s in defaults-a:1:--no-latency defaults-b:1:--no-latency graphs-off:1:--no-latency:-D:tensorrt.cuda-graphs=false \
         batch-wait-fixed:1:--no-latency:-D:batch.wait=fixed decode-threads-1:1:--no-latency:-D:decode.threads=1 \
         preprocess-cpu:1:--no-latency:-D:preprocess=cpu; do
  echo "job ${s%%:*}" > "$W/phase"
  bash "$J" ${s//:/ }
done
echo tests > "$W/phase"
java -Xmx8g -Dlog4j2.configurationFile=log4j2-cli.properties -cp "$A/lib/*:$GPU_RT_JARS" \
  org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=tree --include-tag gpu \
  --select-class io.streamdetect.engine.tensorrt.GraphsAndProfilesGpuTest > "$W/tests.log" 2>&1
echo "tests exit $?" >> "$W/tests.log"
echo latency > "$W/phase"
[ -f "$R/scripts/gpu/latency-diagnosis.sh" ] && bash "$R/scripts/gpu/latency-diagnosis.sh" > "$W/latency.log" 2>&1
echo restarts > "$W/phase"
bash "$J" restarts-20 1 --no-latency --restarts 20
echo models > "$W/phase"
bash "$R/scripts/gpu/lease-exported-models.sh" > "$W/models.log" 2>&1
echo done > "$W/phase"
