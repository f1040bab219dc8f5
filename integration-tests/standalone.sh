# Spark standalone on this machine, for the cluster test and the scaling benchmark (sourced):
# a master and two workers, each a JVM of its own from the pyspark distribution in .venv, worker
# 2 on 127.0.0.2 so speculation has a second host. Every daemon is stopped by its PID when the
# sourcing script exits, whatever the outcome; traffic stays on 127.0.0.0/8; waits are bounded.

spark_home="$(.venv/bin/python -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')"
export SPARK_HOME="$spark_home" PYSPARK_PYTHON="$PWD/.venv/bin/python"

standalone_pids=()
standalone_stop() {
  for pid in "${standalone_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${standalone_pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  done
}
trap standalone_stop EXIT

# Waits up to $2 seconds for `$1` to succeed.
wait_for() {
  local deadline=$((SECONDS + $2))
  until eval "$1"; do
    if ((SECONDS > deadline)); then echo "timed out after $2 s waiting for: $1" >&2; return 1; fi
    sleep 0.5
  done
}

# Starts the master and both workers (1 core each, and $STANDALONE_WORKER_MEMORY of memory for
# executors, 1g unless set) with logs and work directories under $1, and waits until both
# workers have registered; sets $master to the master's URL.
standalone_start() {
  local dir=$1 port=$((20000 + RANDOM % 20000))
  mkdir -p "$dir/logs" "$dir/local"
  export SPARK_LOG_DIR="$dir/logs" SPARK_LOCAL_DIRS="$dir/local"
  master="spark://127.0.0.1:$port"
  SPARK_LOCAL_IP=127.0.0.1 "$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.master.Master \
    --host 127.0.0.1 --port "$port" --webui-port 0 >"$dir/logs/master.log" 2>&1 &
  standalone_pids+=($!)
  for w in 1 2; do
    SPARK_LOCAL_IP=127.0.0.$w "$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.worker.Worker \
      --host 127.0.0.$w --cores 1 --memory "${STANDALONE_WORKER_MEMORY:-1g}" --webui-port 0 --work-dir "$dir/worker$w" \
      "$master" >"$dir/logs/worker$w.log" 2>&1 &
    standalone_pids+=($!)
  done
  wait_for "[ \"\$(grep -c 'Registering worker' '$dir/logs/master.log' 2>/dev/null)\" -ge 2 ]" 120
}

# spark-submit of integration-tests/spark_cluster_job.py to master $1 with the zkmr jar and
# functions; leading --conf/--archives pairs are passed to spark-submit, the rest to the job.
# The job starts once both workers' executors have registered (spark.cores.max is what the
# standalone scheduler waits for: without it the first executor may get every task).
# Executors get $STANDALONE_EXECUTOR_MEMORY of heap (512m unless set); the job's JSON goes to
# $2.json and its log to $2.log.
standalone_submit() {
  local to=$1 out=$2 started=$SECONDS rc=0
  shift 2
  local conf=()
  while [ "${1:-}" = --conf ] || [ "${1:-}" = --archives ]; do conf+=("$1" "$2"); shift 2; done
  SPARK_LOCAL_IP=127.0.0.1 .venv/bin/spark-submit --master "$to" --deploy-mode client \
    --jars spark-udf/target/zkmr-spark-0.1.0.jar \
    --conf spark.sql.extensions=io.zkmr.spark.ZkmrExtensions \
    --conf spark.driver.host=127.0.0.1 --conf spark.driver.bindAddress=127.0.0.1 \
    --conf spark.ui.enabled=false --executor-memory "${STANDALONE_EXECUTOR_MEMORY:-512m}" \
    --conf spark.cores.max=2 --conf spark.scheduler.minRegisteredResourcesRatio=1.0 \
    --conf spark.scheduler.maxRegisteredResourcesWaitingTime=60s \
    "${conf[@]}" integration-tests/spark_cluster_job.py "$@" >"$out.json" 2>"$out.log" || rc=$?
  echo "$(basename "$out"): spark-submit took $((SECONDS - started)) s"
  return $rc
}
