package io.streamdetect.cuda;

/** The CUDA device a plan is built for. */
public record GpuInfo(int device, String name, String computeCapability, long memoryBytes) {}
