#!/usr/bin/env bash
# On the GPU machine, after the runtime parts: collects one application part made by bin/gpu-pack and, once
# all have arrived, unpacks them into /root/gpu/app (replacing an earlier app).
# usage: bash .gpu/app-N/unpack-app.sh .gpu/app-N
set -euo pipefail
PART=${1:?usage: unpack-app.sh PART_DIR}
G=/root/gpu; mkdir -p "$G/app-parts"
cp "$PART"/app.tar.zst.* "$G/app-parts/"
want=$(cat "$PART/parts"); have=$(ls "$G"/app-parts/app.tar.zst.* | wc -l)
if [ "$have" -lt "$want" ]; then echo "app: $have of $want parts"; exit 0; fi
ZSTD=$G/parts/zstd   # left there by the runtime parts
[ -x "$ZSTD" ] || ZSTD=zstd
rm -rf "$G/app"; mkdir -p "$G/app"
cat "$G"/app-parts/app.tar.zst.* | "$ZSTD" -dq | tar -C "$G/app" -xf -
rm -rf "$G/app-parts"
echo "app ready in $G/app: $(ls "$G/app/lib" | wc -l) jars"
