#!/usr/bin/env bash
# docker-compose's Flink services start here: the settings shared with bin/cluster (flink.yaml beside this file)
# go in front of the service's own FLINK_PROPERTIES, then Flink's own entrypoint runs (it writes them into
# conf/config.yaml). The two lists must not name the same key (DockerComposeTest checks it).
set -euo pipefail
shared=$(grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$(dirname "${BASH_SOURCE[0]}")/flink.yaml")
export FLINK_PROPERTIES="${shared}"$'\n'"${FLINK_PROPERTIES:-}"
exec /docker-entrypoint.sh "$@"
