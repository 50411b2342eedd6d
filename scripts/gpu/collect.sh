#!/usr/bin/env bash
# Copies what the lease scripts wrote (logs, summaries, finished plans) into $OUT, small files first; plans only when
# asked (collect.sh plans), as they are ~10 MB each.
set -u
mkdir -p "$OUT/lease" "$OUT/jobbench" "$OUT/latdiag" "$OUT/models"
cp /root/lease/*.log /root/lease/phase /root/lease/gpu-memory.csv "$OUT/lease/" 2>/dev/null
cp /root/latdiag/*.log /root/latdiag/exits.txt "$OUT/latdiag/" 2>/dev/null
for f in /root/jobbench/*.log /root/jobbench/exits.txt; do [ -f "$f" ] && tail -c 200000 "$f" > "$OUT/jobbench/$(basename "$f")"; done
for d in /root/models/*/; do
  n=$(basename "$d"); mkdir -p "$OUT/models/$n"; cp "$d"/*.log "$d"/phase "$d"/summary.txt "$OUT/models/$n/" 2>/dev/null
  [ "${1:-}" = plans ] && cp "$d"/out/*.engine "$OUT/models/$n/" 2>/dev/null
done
ls -R "$OUT" | head -80
