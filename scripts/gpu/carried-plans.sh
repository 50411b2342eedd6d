# Sourced by the lease scripts, with R set to the checkout: TensorRT plans in /root/plans (STREAMDETECT_ENGINE_CACHE),
# seeded from the checkout's .plans/ as carried to the GPU machine, so that a plan built on an earlier lease is not
# built again. Carried files arrive read-only; the timing cache must be writable, or no build saves its timings.
export STREAMDETECT_ENGINE_CACHE=/root/plans
mkdir -p "$STREAMDETECT_ENGINE_CACHE"; cp -n "$R"/.plans/* "$STREAMDETECT_ENGINE_CACHE"/ 2>/dev/null
chmod -R u+w "$STREAMDETECT_ENGINE_CACHE"
