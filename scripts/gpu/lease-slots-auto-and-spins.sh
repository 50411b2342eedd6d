#!/usr/bin/env bash
# Session 15's lease (issues 14 and 18). Staging and polling as in lease-next.sh (carry .plans in a call of its own;
# start this in the last app call). Every timing step alone on the GPU, one JVM each.
#  1. Issue 14: the streaming job at defaults with `--slots auto`, what a local `stream` run without -p now picks
#     (LocalSlots: 2 with TensorRT), beside 1 slot in the same JVM; 200,000 coco8 JPEG records; then auto again.
#     StreamingJobBenchmark prints the ratio against the slots' own sessions and against one session (`bench`'s figure).
#  2. Issue 18: latency on the batch-1 plan at 10% load, 3 and 1 slots, at defaults (the inference thread polls while
#     a batch uploads, the prepare thread parks between images; HandOffSpins) against batch.idle-spin 100 ms (bench
#     --idle-spin-ms 100: the prepare thread polls for the next image). Session 15 ran this on 903e462, where both
#     polls were system properties (streamdetect.batching.spin-for-upload, .idle-spin-us; since replaced by the
#     setting), also with neither; then by hand (2-decimal percentiles) 6 more 3-slot runs.
#  3. GpuPipelineGpuTest's micro-batcher tests (the prepare-thread check of session 14 never ran on a GPU).
#  4. The job at defaults with 1 slot once more (session 15 ran it with the upload poll off).
set -u
R=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$R/scripts/gpu/lease-common.sh"
W=/root/lease; begin_lease "$W"
export WATCHDOG_S=300 RECORDS=200000

watched_job "$W" auto-and-1 auto,1
watched_job "$W" auto-b auto

SPIN=(--idle-spin-ms 100)
b1_latency "$W" s3-default 3
b1_latency "$W" s3-idle-spin 3 "${SPIN[@]}"
b1_latency "$W" s1-default 1
b1_latency "$W" s1-idle-spin 1 "${SPIN[@]}"
b1_latency "$W" s3-default-b 3
b1_latency "$W" s3-idle-spin-b 3 "${SPIN[@]}"

gpu_tests "$W" gpu-tests \
  io.streamdetect.preprocess.gpu.GpuPipelineGpuTest#onlyJpegsTheGpuTakesAreCheckedOnThePrepareThread \
  io.streamdetect.preprocess.gpu.GpuPipelineGpuTest#microBatcherDecodesOnTheGpuAheadOfInference

watched_job "$W" one-b 1
stop_gpu_monitor
echo done > "$W/phase"
