# What scripts/dev runs, apart from it so a test can run the same code: the servers' commands,
# the dev page's origins, the log settings, and a supervisor that names the server that exited
# and stops the others.
#
#   dev_page_origins PORT    the dev page's origins: http://127.0.0.1:PORT and http://localhost:PORT
#   dev_log_env              no colour codes in logs that are not a terminal
#   supervise NAME CMD...    starts CMD in the background as NAME
#   supervised_alive         fails, naming it, if a supervised server has exited
#   supervise_wait           waits until one exits, says which and how, and stops the others
#   stop_supervised          stops every supervised server

# The dev page is reached both as what people type (localhost) and as what trunk prints
# (127.0.0.1): the gateway must accept both origins.
dev_page_origins() {
  printf 'http://127.0.0.1:%s\nhttp://localhost:%s\n' "$1" "$1"
}

# Logs for people: colour only on a terminal (tracing-subscriber, cargo and trunk honour these).
dev_log_env() {
  if [ ! -t 1 ] || [ ! -t 2 ]; then
    # trunk reads NO_COLOR as its --no-color flag, which takes true or false.
    export NO_COLOR=true CARGO_TERM_COLOR=never
  fi
}

SUPERVISED_PIDS=()
SUPERVISED_NAMES=()

supervise() {
  local name=$1
  shift
  "$@" &
  SUPERVISED_PIDS+=("$!")
  SUPERVISED_NAMES+=("$name")
}

# The name of the supervised process $1.
supervised_name() {
  local i
  for i in "${!SUPERVISED_PIDS[@]}"; do
    if [ "${SUPERVISED_PIDS[$i]}" = "$1" ]; then
      echo "${SUPERVISED_NAMES[$i]}"
      return
    fi
  done
  echo "a server"
}

supervised_alive() {
  local pid
  for pid in "${SUPERVISED_PIDS[@]}"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      local status=0
      wait "$pid" || status=$?
      echo "the $(supervised_name "$pid") exited (status $status) before the panel was up; stopping the others" >&2
      return 1
    fi
  done
}

supervise_wait() {
  local pid status=0
  wait -n -p pid "${SUPERVISED_PIDS[@]}" || status=$?
  echo "the $(supervised_name "$pid") exited (status $status); stopping the others" >&2
  return "$status"
}

stop_supervised() {
  local pid
  for pid in "${SUPERVISED_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
