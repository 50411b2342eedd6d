#!/usr/bin/env bash
# A real Kafka + Flink cluster on this machine, bound to 127.0.0.1, from Maven artifacts (no Flink or Kafka
# distribution, no Docker): a KRaft broker (kafka.Kafka), a Flink standalone session cluster
# (StandaloneSessionClusterEntrypoint + TaskManagerRunner, each its own JVM and log file) and Flink's own CLI
# (CliFrontend = `flink run`). Called through bin/cluster; `bin/cluster help` lists the commands.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/scripts/cluster"
DIR=${STREAMDETECT_CLUSTER_DIR:-$ROOT/target/cluster}
JAVA=${JAVA:-java}

usage() {
  cat <<EOF
usage: bin/cluster COMMAND [ARGS]

  up [--secure]            start Kafka (127.0.0.1:\$KAFKA_PORT, default 9092), the Flink JobManager (web UI and REST
                           on 127.0.0.1:\$REST_PORT, default 8081) and \$TASKMANAGERS (2) TaskManagers; creates the
                           topics images, detections, detections-dead-letters. --secure: SASL_SSL (see README)
  down [--purge]           stop every process (SIGTERM); --purge also deletes Kafka's data, checkpoints and logs
  status                   processes, TaskManagers, jobs
  submit [--from-savepoint PATH] ARGS...
                           flink run --detached [--fromSavepoint PATH] jobs/target/streamdetect-job.jar ARGS
                           (e.g. stream -m M.onnx ...); -b and the secure settings of this cluster are added
  flink ARGS...            Flink's CLI against this cluster: list, stop --savepointPath DIR JOBID, cancel JOBID,
                           run -s SAVEPOINT ...
  tm start|kill N|stop N   start one more TaskManager; kill -9 TaskManager N; stop it (SIGTERM)
  kafka start|stop|restart the broker alone
  client-properties        -X options for produce/consume on a --secure cluster (secrets as \${file:...} references)
  logs                     where the log files are

Settings (environment, read by 'up', remembered in \$STREAMDETECT_CLUSTER_DIR/cluster.env for later commands):
  STREAMDETECT_CLUSTER_DIR (target/cluster)  KAFKA_PORT (9092)  KAFKA_CONTROLLER_PORT (9093)  REST_PORT (8081)
  JM_RPC_PORT (6123)  TASKMANAGERS (2)  TASK_SLOTS (from docker/conf/flink.yaml)  TM_MEMORY (1600m)
  TOPIC_PARTITIONS (2)
EOF
}

die() { echo "cluster: $*" >&2; exit 1; }
log() { echo "cluster: $*" >&2; }

# ---------------------------------------------------------------------------------------------------- settings
load_env() {
  if [ -f "$DIR/cluster.env" ]; then
    # shellcheck disable=SC1091
    source "$DIR/cluster.env"
  fi
  KAFKA_PORT=${KAFKA_PORT:-9092}
  KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
  REST_PORT=${REST_PORT:-8081}
  JM_RPC_PORT=${JM_RPC_PORT:-6123}
  TASKMANAGERS=${TASKMANAGERS:-2}
  TASK_SLOTS=${TASK_SLOTS:-}
  TM_MEMORY=${TM_MEMORY:-1600m}
  JM_MEMORY=${JM_MEMORY:-1024m}
  TOPIC_PARTITIONS=${TOPIC_PARTITIONS:-2}
  SECURE=${SECURE:-false}
}

save_env() {
  mkdir -p "$DIR"
  cat > "$DIR/cluster.env" <<EOF
KAFKA_PORT=$KAFKA_PORT
KAFKA_CONTROLLER_PORT=$KAFKA_CONTROLLER_PORT
REST_PORT=$REST_PORT
JM_RPC_PORT=$JM_RPC_PORT
TASKMANAGERS=$TASKMANAGERS
TASK_SLOTS=$TASK_SLOTS
TM_MEMORY=$TM_MEMORY
JM_MEMORY=$JM_MEMORY
TOPIC_PARTITIONS=$TOPIC_PARTITIONS
SECURE=$SECURE
EOF
}

# ---------------------------------------------------------------------------------------------------- class paths
# Each pom under scripts/cluster/ lists what a distribution's lib/ would hold; its class path is resolved once
# (and again when the pom changes).
classpath() {   # classpath flink|kafka
  local pom="$HERE/$1/pom.xml" out="$DIR/classpath/$1.txt"
  if [ ! -s "$out" ] || [ "$pom" -nt "$out" ]; then
    mkdir -p "$DIR/classpath"
    (cd "$ROOT" && ./mvnw -B -ntp -q -f "$pom" dependency:build-classpath -Dmdep.outputFile="$out") >&2 \
      || die "could not resolve the $1 class path from $pom (needs Maven Central once)"
  fi
  cat "$out"
}

JAVA_OPENS="--add-exports=java.base/sun.net.util=ALL-UNNAMED --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED \
--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED \
--add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED \
--add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
--add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.text=ALL-UNNAMED \
--add-opens=java.base/java.time=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED \
--add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED \
--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED"

# ---------------------------------------------------------------------------------------------------- processes
pid_of() { cat "$DIR/pids/$1.pid" 2>/dev/null || true; }
alive() { local p; p=$(pid_of "$1"); [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

# start NAME CLASSPATH MAINCLASS ARGS... : a detached JVM with its own log file ($DIR/log/NAME.log) and its
# stdout/stderr in NAME.out
start_jvm() {
  local name=$1 cp=$2 jvm_opts=$3; shift 3
  mkdir -p "$DIR/pids" "$DIR/log"
  alive "$name" && die "$name is already running (pid $(pid_of "$name"))"
  # a JVM that crashes (SIGSEGV in native code) leaves its hs_err report beside its log, not in the working directory
  # shellcheck disable=SC2086
  setsid nohup "$JAVA" $jvm_opts $JAVA_OPENS -XX:ErrorFile="$DIR/log/hs_err_${name}_%p.log" -Dlog.file="$DIR/log/$name.log" \
    -Dlog4j2.configurationFile="$HERE/log4j2.properties" -Dlog4j.configurationFile="$HERE/log4j2.properties" \
    -cp "$cp" "$@" > "$DIR/log/$name.out" 2>&1 < /dev/null &
  echo $! > "$DIR/pids/$name.pid"
}

stop_process() {   # stop_process NAME [SIGNAL]
  local name=$1 sig=${2:-TERM} p
  p=$(pid_of "$name")
  if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
    kill -"$sig" "$p" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$p" 2>/dev/null; then log "$name did not stop in 30 s: kill -9"; kill -9 "$p" 2>/dev/null || true; fi
  fi
  rm -f "$DIR/pids/$name.pid"
}

wait_for() {   # wait_for SECONDS DESCRIPTION COMMAND... : until COMMAND succeeds
  local secs=$1 what=$2; shift 2
  local end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $end ] || die "$what did not happen within $secs s (logs: $DIR/log)"
    sleep 0.5
  done
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---------------------------------------------------------------------------------------------------- Kafka
kafka_java() { "$JAVA" -Xmx256m -Dlog4j2.configurationFile="$HERE/log4j2-tools.properties" -cp "$(classpath kafka)" "$@"; }

write_kafka_config() {
  local conf="$DIR/kafka/server.properties" listener=PLAINTEXT
  mkdir -p "$DIR/kafka/data"
  [ "$SECURE" = true ] && listener=SASL_SSL
  {
    echo "# written by bin/cluster up"
    echo "process.roles=broker,controller"
    echo "node.id=1"
    echo "controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT"
    echo "listeners=$listener://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT"
    echo "advertised.listeners=$listener://127.0.0.1:$KAFKA_PORT"
    echo "listener.security.protocol.map=$listener:$listener,CONTROLLER:PLAINTEXT"
    echo "controller.listener.names=CONTROLLER"
    echo "inter.broker.listener.name=$listener"
    echo "log.dirs=$DIR/kafka/data"
    echo "num.partitions=$TOPIC_PARTITIONS"
    echo "auto.create.topics.enable=false"
    echo "offsets.topic.replication.factor=1"
    echo "transaction.state.log.replication.factor=1"
    echo "transaction.state.log.min.isr=1"
    echo "group.initial.rebalance.delay.ms=0"
    echo "# the job's exactly-once sinks use 10-minute transactions (transaction.timeout); allow 15"
    echo "transaction.max.timeout.ms=900000"
    echo "# images are records: allow 16 MB values"
    echo "message.max.bytes=16777216"
    [ "$SECURE" = true ] && secure_broker_properties
  } > "$conf"
  chmod 600 "$conf"
}

kafka_start() {
  local conf="$DIR/kafka/server.properties"
  if [ ! -f "$DIR/kafka/data/meta.properties" ]; then
    write_kafka_config
    local id
    id=$(kafka_java kafka.tools.StorageTool random-uuid)
    local extra=() c
    if [ "$SECURE" = true ]; then
      while read -r c; do extra+=(--add-scram "$c"); done < <(scram_credentials)
    fi
    kafka_java kafka.tools.StorageTool format -t "$id" -c "$conf" "${extra[@]}" > "$DIR/log/kafka-format.out" 2>&1 \
      || die "formatting Kafka's storage failed: $DIR/log/kafka-format.out"
  fi
  start_jvm kafka "$(classpath kafka)" "-Xms512m -Xmx1g" kafka.Kafka "$conf"
  wait_for 90 "Kafka accepting connections on 127.0.0.1:$KAFKA_PORT" port_open "$KAFKA_PORT"
  wait_for 90 "Kafka answering requests" kafka_java org.apache.kafka.tools.TopicCommand \
    --bootstrap-server "127.0.0.1:$KAFKA_PORT" --command-config "$(admin_properties)" --list
  log "Kafka up: 127.0.0.1:$KAFKA_PORT (pid $(pid_of kafka), log $DIR/log/kafka.log)"
}

# client settings of the tools bin/cluster runs itself (topics): empty unless secure
admin_properties() {
  local f="$DIR/kafka/admin.properties"
  mkdir -p "$DIR/kafka"
  if [ "$SECURE" = true ]; then secure_client_properties > "$f"; else : > "$f"; fi
  chmod 600 "$f"
  echo "$f"
}

create_topics() {
  local t
  for t in images detections detections-dead-letters; do
    kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" \
      --command-config "$(admin_properties)" --create --if-not-exists --topic "$t" \
      --partitions "$TOPIC_PARTITIONS" --replication-factor 1 --config max.message.bytes=16777216 >/dev/null
  done
  log "topics: images, detections, detections-dead-letters ($TOPIC_PARTITIONS partitions each)"
}

# ---------------------------------------------------------------------------------------------------- Flink
# conf/config.yaml = the settings shared with docker-compose.yml; what is local to this machine is passed to each
# process as -D dynamic properties (they take precedence over the file)
write_flink_config() {
  mkdir -p "$DIR/flink/conf" "$DIR/flink/checkpoints" "$DIR/flink/savepoints" "$DIR/tmp"
  cp "$ROOT/docker/conf/flink.yaml" "$DIR/flink/conf/config.yaml"
  # in the file too, not only in the processes' -D: the CLI reads it, and the job's checkpoint guard checks it there
  printf '%s\n' "execution.checkpointing.dir: file://$DIR/flink/checkpoints" \
    "execution.checkpointing.savepoint-dir: file://$DIR/flink/savepoints" >> "$DIR/flink/conf/config.yaml"
  cp "$HERE/log4j2.properties" "$DIR/flink/conf/log4j.properties"
  cp "$HERE/log4j2-tools.properties" "$DIR/flink/conf/log4j-cli.properties"
}

flink_local_properties() {
  local slots=()
  [ -n "$TASK_SLOTS" ] && slots=(-D "taskmanager.numberOfTaskSlots=$TASK_SLOTS")
  printf '%s\n' \
    -D jobmanager.rpc.address=127.0.0.1 -D jobmanager.bind-host=127.0.0.1 -D "jobmanager.rpc.port=$JM_RPC_PORT" \
    -D rest.address=127.0.0.1 -D rest.bind-address=127.0.0.1 -D "rest.port=$REST_PORT" \
    -D taskmanager.host=127.0.0.1 -D taskmanager.bind-host=127.0.0.1 -D taskmanager.rpc.port=0 \
    -D taskmanager.data.port=0 -D blob.server.port=0 \
    -D "execution.checkpointing.dir=file://$DIR/flink/checkpoints" \
    -D "execution.checkpointing.savepoint-dir=file://$DIR/flink/savepoints" \
    -D "io.tmp.dirs=$DIR/tmp" -D "web.tmpdir=$DIR/tmp" -D "blob.storage.directory=$DIR/tmp" \
    -D "jobmanager.memory.process.size=$JM_MEMORY" -D "taskmanager.memory.process.size=$TM_MEMORY" \
    -D taskmanager.memory.managed.fraction=0.05 "${slots[@]}"
}

# the JVM heap/direct/metaspace flags and the memory settings Flink's own start scripts compute (BashJavaUtils)
flink_resource_params() {   # flink_resource_params GET_TM_RESOURCE_PARAMS|GET_JM_RESOURCE_PARAMS -> 2 lines
  local cp props
  cp=$(classpath flink)
  mapfile -t props < <(flink_local_properties)
  "$JAVA" -Xmx128m -Dlog4j2.configurationFile="$HERE/log4j2-tools.properties" -cp "$cp" \
    org.apache.flink.runtime.util.bash.BashJavaUtils "$1" --configDir "$DIR/flink/conf" "${props[@]}" \
    | grep '^BASH_JAVA_UTILS_EXEC_RESULT:' | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://' | tail -2
}

jobmanager_start() {
  local params props
  mapfile -t params < <(flink_resource_params GET_JM_RESOURCE_PARAMS)
  mapfile -t props < <(flink_local_properties)
  # shellcheck disable=SC2086
  start_jvm jobmanager "$(classpath flink)" "${params[0]}" \
    org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint --configDir "$DIR/flink/conf" \
    "${props[@]}" ${params[1]:-}
  # like wait_for, but a JobManager that exited (e.g. its port was taken) ends the wait at once, saying why
  local end=$((SECONDS + 120))
  until rest /overview >/dev/null 2>&1; do
    alive jobmanager || die "the JobManager exited while starting: $(grep -m1 -E 'Exception' "$DIR/log/jobmanager.log" \
      2>/dev/null | cut -c1-300) (log $DIR/log/jobmanager.log)"
    [ $SECONDS -lt $end ] || die "the JobManager's REST endpoint on 127.0.0.1:$REST_PORT did not happen within 120 s (logs: $DIR/log)"
    sleep 0.5
  done
  log "JobManager up: web UI and REST http://127.0.0.1:$REST_PORT (pid $(pid_of jobmanager), log $DIR/log/jobmanager.log)"
}

next_tm() { local n=1; while [ -f "$DIR/pids/taskmanager-$n.pid" ] || [ -f "$DIR/log/taskmanager-$n.log" ]; do n=$((n + 1)); done; echo "$n"; }

taskmanager_start() {   # a new TaskManager, numbered after every one started before (its log is its own)
  local n params props
  n=$(next_tm)
  mapfile -t params < <(flink_resource_params GET_TM_RESOURCE_PARAMS)
  mapfile -t props < <(flink_local_properties)
  # shellcheck disable=SC2086
  start_jvm "taskmanager-$n" "$(classpath flink)" "${params[0]}" \
    org.apache.flink.runtime.taskexecutor.TaskManagerRunner --configDir "$DIR/flink/conf" \
    "${props[@]}" -D "taskmanager.resource-id=taskmanager-$n" ${params[1]:-}
  echo "taskmanager-$n"
}

registered_tms() { { rest /taskmanagers || true; } | grep -o '"id":"[^"]*"' | wc -l; }

wait_for_tms() {   # wait_for_tms COUNT
  local end=$((SECONDS + 120))
  until [ "$(registered_tms)" -ge "$1" ]; do
    [ $SECONDS -lt $end ] || die "only $(registered_tms) of $1 TaskManagers registered within 120 s (logs: $DIR/log)"
    sleep 0.5
  done
}

rest() { curl -sf --max-time 5 "http://127.0.0.1:$REST_PORT$1"; }

# Flink's CLI (bin/flink) against this cluster's REST endpoint
flink_cli() {
  local cmd=$1; shift
  FLINK_CONF_DIR="$DIR/flink/conf" "$JAVA" -Xmx512m $JAVA_OPENS -Dlog.file="$DIR/log/flink-cli.log" \
    -Dlog4j2.configurationFile="$HERE/log4j2.properties" -cp "$(classpath flink)" \
    org.apache.flink.client.cli.CliFrontend "$cmd" -m "127.0.0.1:$REST_PORT" "$@"
}

submit() {
  local jar="$ROOT/jobs/target/streamdetect-job.jar"
  [ -f "$jar" ] || die "$jar is missing: build it with ./mvnw -B package -DskipTests"
  local run_opts=()
  if [ "${1:-}" = "--from-savepoint" ]; then
    [ -n "${2:-}" ] || die "usage: bin/cluster submit --from-savepoint PATH stream ..."
    run_opts=(--fromSavepoint "$2"); shift 2
  fi
  [ $# -ge 1 ] || die "usage: bin/cluster submit [--from-savepoint PATH] stream|reprocess [OPTIONS]   (e.g. stream -m /path/yolo11n.onnx)"
  local args=("$@") extra=()
  case " ${args[*]} " in *" -b "*|*" --bootstrap-servers"*|*" --images "*) ;; *) extra+=(-b "127.0.0.1:$KAFKA_PORT") ;; esac
  [ "$SECURE" = true ] && mapfile -t -O "${#extra[@]}" extra < <(secure_client_properties | sed 's/^/-X\n/')
  flink_cli run --detached "${run_opts[@]}" "$jar" "${args[@]}" "${extra[@]}"
}

# ---------------------------------------------------------------------------------------------------- secure
# shellcheck source=secure.sh
source "$HERE/secure.sh"

# ---------------------------------------------------------------------------------------------------- commands
cmd_up() {
  [ "${1:-}" = "--secure" ] && SECURE=true
  if alive kafka || alive jobmanager; then die "the cluster in $DIR is already up (bin/cluster status; bin/cluster down)"; fi
  if [ -f "$DIR/kafka/server.properties" ]; then
    local was=false
    grep -q SASL_SSL "$DIR/kafka/server.properties" && was=true
    [ "$was" = "$SECURE" ] || die "$DIR holds a cluster with secure=$was: bin/cluster down --purge first"
  fi
  for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" "$REST_PORT" "$JM_RPC_PORT"; do
    port_open "$p" && die "port $p on 127.0.0.1 is taken; set KAFKA_PORT/KAFKA_CONTROLLER_PORT/REST_PORT/JM_RPC_PORT"
  done
  save_env
  mkdir -p "$DIR/log"
  classpath flink >/dev/null
  classpath kafka >/dev/null
  [ "$SECURE" = true ] && secure_setup
  kafka_start
  create_topics
  write_flink_config
  jobmanager_start
  local i
  for i in $(seq 1 "$TASKMANAGERS"); do taskmanager_start >/dev/null; done
  wait_for_tms "$TASKMANAGERS"
  log "$TASKMANAGERS TaskManagers registered"
  cat <<EOF

Kafka:  127.0.0.1:$KAFKA_PORT$([ "$SECURE" = true ] && echo " (SASL_SSL; client settings: bin/cluster client-properties)")
Flink:  http://127.0.0.1:$REST_PORT
Logs:   $DIR/log
Submit: bin/cluster submit stream -m \$PWD/../shared/models/yolo11n.onnx --backend onnxruntime -p 2
EOF
}

cmd_down() {
  local name
  for f in "$DIR"/pids/taskmanager-*.pid; do [ -e "$f" ] && stop_process "$(basename "$f" .pid)"; done
  stop_process jobmanager
  stop_process kafka
  if [ "${1:-}" = "--purge" ]; then rm -rf "$DIR"; log "stopped; $DIR deleted"; else log "stopped (data kept in $DIR; --purge deletes it)"; fi
}

cmd_status() {
  local f name rc=0
  for f in "$DIR"/pids/*.pid; do
    [ -e "$f" ] || { echo "nothing started from $DIR"; return 3; }
    name=$(basename "$f" .pid)
    if alive "$name"; then echo "$name: running (pid $(pid_of "$name"))"; else echo "$name: DEAD (log $DIR/log/$name.log)"; rc=3; fi
  done
  if rest /overview >/dev/null 2>&1; then
    echo "flink: $(rest /overview | tr -d '{}"' | tr ',' ' ')"
    rest /jobs/overview | grep -o '"jid":"[^"]*","name":"[^"]*"[^}]*"state":"[^"]*"' \
      | sed -E 's/"jid":"([^"]*)","name":"([^"]*)".*"state":"([^"]*)"/job \1 \3 \2/' || true
  else
    echo "flink: REST http://127.0.0.1:$REST_PORT not answering"; rc=3
  fi
  return $rc
}

main() {
  local cmd=${1:-help}
  [ $# -gt 0 ] && shift
  load_env
  case "$cmd" in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status ;;
    submit) submit "$@" ;;
    flink) [ $# -ge 1 ] || die "usage: bin/cluster flink list|stop|cancel|run ..."; flink_cli "$@" ;;
    tm)
      case "${1:-}" in
        start) taskmanager_start ;;
        kill) [ -n "${2:-}" ] || die "usage: bin/cluster tm kill N"; alive "taskmanager-$2" || die "taskmanager-$2 is not running"
              kill -9 "$(pid_of "taskmanager-$2")"; rm -f "$DIR/pids/taskmanager-$2.pid"; log "taskmanager-$2 killed (-9)" ;;
        stop) [ -n "${2:-}" ] || die "usage: bin/cluster tm stop N"; stop_process "taskmanager-$2" ;;
        *) die "usage: bin/cluster tm start|kill N|stop N" ;;
      esac ;;
    kafka)
      case "${1:-}" in
        start) kafka_start ;;
        stop) stop_process kafka; log "Kafka stopped" ;;
        restart) stop_process kafka; kafka_start ;;
        *) die "usage: bin/cluster kafka start|stop|restart" ;;
      esac ;;
    client-properties)   # -X options for produce/consume; secrets only as ${file:...} references
      if [ "$SECURE" = true ]; then secure_client_properties | sed 's/^/-X /' | paste -sd' '; fi ;;
    logs) ls -1 "$DIR/log"/* ;;
    help|-h|--help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
