#!/usr/bin/env bash
# Session 14's third lease (issue 18), a short one: with GPU pre-processing a JPEG's host-side check (header, limits,
# about a microsecond) now runs on the prepare thread instead of a decode-pool thread, whose hand-off took 0.09-0.15 ms
# per image ("prepare: decode" in the stage table). Latency at 10% on the batch-1 plan with 1 slot, then
# GpuPipelineGpuTest's micro-batcher and decodesOnGpu tests, then 3 slots at 10%. Staging as in lease-next.sh.
set -u
R=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
source "$R/scripts/gpu/lease-common.sh"
W=/root/lease; mkdir -p "$W/out"
b1_latency "$W" inline-s1 1
gpu_tests "$W" gpu-tests \
  io.streamdetect.preprocess.gpu.GpuPipelineGpuTest#onlyJpegsTheGpuTakesAreCheckedOnThePrepareThread \
  io.streamdetect.preprocess.gpu.GpuPipelineGpuTest#microBatcherDecodesOnTheGpuAheadOfInference
b1_latency "$W" inline-s3 3
echo done > "$W/phase"
