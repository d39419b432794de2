#!/usr/bin/env bash
# Start-up time and idle memory of the Cashier app next to a minimal Tauri window (bench/baseline),
# both release builds made the same way (same Cargo.lock, profile, features, window and CSP), run
# alternately in one Xvfb server. Prints medians and the Cashier/baseline ratio (goal: ≤ 1.2×).
#
#   bench/startup.sh [RUNS]        (default 7; needs ui/dist and scripts/setup-desktop)
#   BENCH_TWO_MONITORS=1 bench/startup.sh [RUNS]
#                                  on two monitors (an X.Org dummy server, as root): the app with
#                                  the customer display off and on, and the baseline
#
# What is measured, and how:
# - start: from spawning the process to the first paint of its page. Both apps carry the same
#   first-screen plugin (src-tauri/src/first_screen.rs): the page waits for `load` (the UI's module
#   scripts and so its first render have run) and two animation frames (so that frame is painted),
#   then the app prints `first-screen` on stdout. The time is taken when that line arrives on a
#   pipe, with bash's $EPOCHREALTIME (no fork in the measured span). A page that renders its real
#   content later (after waiting for data) is not covered by this mark.
# - memory: 3 s after the first paint (BENCH_IDLE_SECONDS), the PSS and RSS of the app and every
#   process it started (WebKitWebProcess, WebKitNetworkProcess), summed from /proc/PID/smaps_rollup.
#   PSS splits shared pages between the processes that map them, so the sum counts them once; RSS
#   counts them in each process.
# - Every run gets fresh XDG data/cache/config folders (no WebKit cache from an earlier run) and a
#   fresh journal. One unrecorded run of each comes first, so both binaries are equally in the OS
#   page cache: "cold" here means a new process, not an empty page cache (dropping that would
#   disturb everything else on the machine).
# - Except the GL driver's shader cache, which all runs share (MESA_SHADER_CACHE_DIR), warmed by
#   the unrecorded runs: on a real till it lives in ~/.cache and outlasts every start but the very
#   first. Measured here (2026-12-06): with a fresh one per run, WebKit's Skia rasterizer compiled
#   its shaders on llvmpipe (Xvfb has no GPU) for 1.2–1.5 s of CPU in about half the app's starts,
#   which put 1.5 s on those starts; the baseline's plain text needs few shaders and never paid it.
#   That is the first start after installing, on a machine without a GPU; BENCH_COLD_SHADERS=1
#   measures it (a fresh shader cache per run).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs=${1:-7}
idle=${BENCH_IDLE_SECONDS:-3}
timeout_s=60

if [ -z "${CASHIER_BENCH_IN_XVFB:-}" ]; then
  [ -f ui/dist/index.html ] || { echo "ui/dist/index.html is missing: build the UI first (cd ui && npm ci && npm run build)" >&2; exit 1; }
  command -v xvfb-run >/dev/null || { echo "xvfb-run is missing: run scripts/setup-desktop" >&2; exit 1; }
  echo "== building release binaries (the app, then the baseline on the same lock)" >&2
  cargo build -q --release -p cashier-app --features tauri/custom-protocol
  # The baseline is configured from the app's own tauri.conf.json and capabilities: only its name,
  # identifier, page and icon path differ.
  python3 - <<'PY'
import json
c = json.load(open('tauri.conf.json'))
c['productName'] = 'Cashier bench baseline'
c['identifier'] = 'com.cashier.bench-baseline'
c['build'] = {'frontendDist': 'dist'}
c['app']['windows'][0]['title'] = 'Baseline'
c.setdefault('bundle', {})['icon'] = ['../../icons/icon.png']
json.dump(c, open('bench/baseline/tauri.conf.json', 'w'), indent=2, ensure_ascii=False)
# The same capabilities, less the app's own command (the baseline declares none) and the
# permissions of plugins the baseline does not carry (the receipts export's save dialog).
import glob, os
os.makedirs('bench/baseline/capabilities', exist_ok=True)
for path in glob.glob('src-tauri/capabilities/*.json'):
    cap = json.load(open(path))
    cap['permissions'] = [p for p in cap['permissions']
                          if p != 'allow-till' and not p.startswith('dialog:')]
    json.dump(cap, open(os.path.join('bench/baseline/capabilities', os.path.basename(path)), 'w'), indent=2, ensure_ascii=False)
PY
  cp Cargo.lock bench/baseline/Cargo.lock
  cargo build -q --release --manifest-path bench/baseline/Cargo.toml --features tauri/custom-protocol \
    --target-dir "$root/target"
  if [ -z "${BENCH_TWO_MONITORS:-}" ]; then
    CASHIER_BENCH_IN_XVFB=1 exec xvfb-run -a -s "-screen 0 1280x800x24" "$0" "$@"
  fi
  # Two monitors: the X.Org server with the dummy driver the customer display's e2e tests use
  # (Xvfb's monitors have no output, and GTK lists none of them), the second monitor right of
  # the first. Needs root, like Xorg itself here.
  for program in Xorg xrandr; do
    command -v $program >/dev/null || { echo "$program is missing: run scripts/setup-desktop" >&2; exit 1; }
  done
  n=40
  while [ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ]; do n=$((n + 1)); done
  xlog=$(mktemp)
  Xorg ":$n" -config "$root/tests/e2e/harness/xorg-two-monitors.conf" -logfile "$xlog" \
    -noreset -nolisten tcp >/dev/null 2>&1 &
  xorg=$!
  trap 'kill $xorg 2>/dev/null; wait $xorg 2>/dev/null; rm -f "$xlog"' EXIT
  for _ in $(seq 100); do DISPLAY=":$n" xrandr --query >/dev/null 2>&1 && break; sleep 0.1; done
  DISPLAY=":$n" xrandr --addmode DUMMY1 1280x800
  DISPLAY=":$n" xrandr --output DUMMY1 --mode 1280x800 --right-of DUMMY0
  DISPLAY=":$n" xrandr --listmonitors | grep -q "Monitors: 2" || { echo "the dummy X server made no two monitors" >&2; exit 1; }
  DISPLAY=":$n" CASHIER_BENCH_IN_XVFB=1 "$0" "$@"
  exit
fi

app_bin=$root/target/release/cashier-app
base_bin=$root/target/release/cashier-bench-baseline
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
shaders=$scratch/shaders

# Every descendant of $1, and $1.
tree() {
  local pids=("$1") i=0 child
  while ((i < ${#pids[@]})); do
    for child in $(ps -o pid= --ppid "${pids[i]}" 2>/dev/null); do pids+=("$child"); done
    i=$((i + 1))
  done
  echo "${pids[@]}"
}

# "PSS_KB RSS_KB" summed over the process tree of $1.
memory() {
  local pss=0 rss=0 pid field kb _
  for pid in $(tree "$1"); do
    while read -r field kb _; do
      case $field in
        Pss:) pss=$((pss + kb)) ;;
        Rss:) rss=$((rss + kb)) ;;
      esac
    done <"/proc/$pid/smaps_rollup" 2>/dev/null || true
  done
  echo "$pss $rss"
}

# One start of binary $1, with the configuration file $2 when given: prints "START_MS PSS_KB RSS_KB".
run_once() {
  local bin=$1 config=${2:-} dir line start end pid pids
  dir=$(mktemp -d "$scratch/run.XXXX")
  [ -n "${BENCH_COLD_SHADERS:-}" ] && shaders=$dir/shaders
  [ -n "$config" ] && cp "$config" "$dir/cashier.toml"
  start=$EPOCHREALTIME
  coproc APP {
    [ -n "$config" ] && export CASHIER_CONFIG="$dir/cashier.toml"
    CASHIER_STARTUP_MARK=1 CASHIER_DB="$dir/journal.db" XDG_DATA_HOME="$dir/data" MESA_SHADER_CACHE_DIR="$shaders" \
      XDG_CACHE_HOME="$dir/cache" XDG_CONFIG_HOME="$dir/config" exec "$bin" 2>"$dir/stderr"
  }
  pid=$APP_PID
  while :; do
    if ! IFS= read -r -t "$timeout_s" line <&"${APP[0]}"; then
      echo "$bin showed no first screen within ${timeout_s}s; its stderr:" >&2
      tail -20 "$dir/stderr" >&2
      kill -KILL $(tree "$pid") 2>/dev/null || true
      exit 1
    fi
    [ "$line" = first-screen ] && break
  done
  end=$EPOCHREALTIME
  sleep "$idle"
  local mem
  mem=$(memory "$pid")
  pids=$(tree "$pid")
  kill -TERM $pids 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  sleep 0.5
  kill -KILL $pids 2>/dev/null || true
  # $EPOCHREALTIME is "seconds.microseconds"; the difference in whole milliseconds.
  local us=$(((${end/./} - ${start/./})))
  echo "$((us / 1000)) $mem"
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

col() { awk -v c="$2" '{ print $c }' "$1" | median; }

if [ -n "${BENCH_TWO_MONITORS:-}" ]; then
  # The customer display off and on (the setting, as a shop writes it), and the baseline.
  printf 'customer_display = "off"\n' >"$scratch/off.toml"
  printf 'customer_display = "1"\n' >"$scratch/on.toml"
  echo "== warm-up (not recorded)" >&2
  run_once "$app_bin" "$scratch/on.toml" >/dev/null
  run_once "$base_bin" >/dev/null
  : >"$scratch/off" >"$scratch/on" >"$scratch/base"
  for ((i = 1; i <= runs; i++)); do
    a=$(run_once "$app_bin" "$scratch/off.toml")
    c=$(run_once "$app_bin" "$scratch/on.toml")
    b=$(run_once "$base_bin")
    echo "run $i/$runs  display off: $a   display on: $c   baseline: $b   (ms pss_kB rss_kB)" >&2
    echo "$a" >>"$scratch/off"
    echo "$c" >>"$scratch/on"
    echo "$b" >>"$scratch/base"
  done
  for v in off on base; do
    for k in 1 2 3; do eval "${v}_$k=$(col "$scratch/$v" $k)"; done
  done
  awk -v runs="$runs" -v om="$off_1" -v op="$off_2" -v or="$off_3" -v nm="$on_1" -v np="$on_2" -v nr="$on_3" \
    -v bm="$base_1" -v bp="$base_2" -v br="$base_3" 'BEGIN {
    printf "\nmedians of %d runs on two 1280x800 monitors (X.Org dummy driver; release builds)\n", runs
    printf "%-26s %18s %22s %22s\n", "", "first screen (ms)", "idle PSS, tree (MiB)", "idle RSS, tree (MiB)"
    printf "%-26s %18.0f %22.1f %22.1f\n", "cashier, display off", om, op / 1024, or / 1024
    printf "%-26s %18.0f %22.1f %22.1f\n", "cashier, display on", nm, np / 1024, nr / 1024
    printf "%-26s %18.0f %22.1f %22.1f\n", "baseline (minimal)", bm, bp / 1024, br / 1024
    printf "%-26s %17.2fx %21.2fx %21.2fx\n", "display off / baseline", om / bm, op / bp, or / br
    printf "%-26s %17.2fx %21.2fx %21.2fx\n", "display on / off", nm / om, np / op, nr / or
    printf "%-26s %+16.0f ms %+18.1f MiB %+18.1f MiB\n", "the second window costs", nm - om, (np - op) / 1024, (nr - or) / 1024
  }'
  exit
fi

echo "== warm-up (not recorded)" >&2
run_once "$app_bin" >/dev/null
run_once "$base_bin" >/dev/null

: >"$scratch/app" >"$scratch/base"
for ((i = 1; i <= runs; i++)); do
  a=$(run_once "$app_bin")
  b=$(run_once "$base_bin")
  echo "run $i/$runs  cashier: $a   baseline: $b   (ms pss_kB rss_kB)" >&2
  echo "$a" >>"$scratch/app"
  echo "$b" >>"$scratch/base"
done

a_ms=$(col "$scratch/app" 1) a_pss=$(col "$scratch/app" 2) a_rss=$(col "$scratch/app" 3)
b_ms=$(col "$scratch/base" 1) b_pss=$(col "$scratch/base" 2) b_rss=$(col "$scratch/base" 3)
awk -v runs="$runs" -v am="$a_ms" -v ap="$a_pss" -v ar="$a_rss" -v bm="$b_ms" -v bp="$b_pss" -v br="$b_rss" 'BEGIN {
  printf "\nmedians of %d runs under Xvfb 1280x800x24 (release builds)\n", runs
  printf "%-22s %18s %22s %22s\n", "", "first screen (ms)", "idle PSS, tree (MiB)", "idle RSS, tree (MiB)"
  printf "%-22s %18.0f %22.1f %22.1f\n", "cashier-app", am, ap / 1024, ar / 1024
  printf "%-22s %18.0f %22.1f %22.1f\n", "baseline (minimal)", bm, bp / 1024, br / 1024
  printf "%-22s %17.2fx %21.2fx %21.2fx\n", "ratio", am / bm, ap / bp, ar / br
}'
