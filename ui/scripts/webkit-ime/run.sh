#!/bin/bash
# A wedge scan into the real WebKitGTK (the engine the Tauri app uses on Linux), typed by xdotool under
# Xvfb, optionally through ibus with the libpinyin engine. Prints what the page saw and where it ended.
#
#   apt-get install -y --no-install-recommends xvfb xdotool dbus-x11 python3-gi gir1.2-webkit2-4.1 \
#       ibus ibus-gtk3 ibus-libpinyin
#   (cd ui && npm run build) && ui/scripts/webkit-ime/run.sh ibus          # ibus, pinyin, no preedit
#   PREFIX=n ui/scripts/webkit-ime/run.sh ibus                              # a pinyin preedit left open
#   ui/scripts/webkit-ime/run.sh plain                                      # no input method
set -u
MODE=${1:-plain}
HERE=$(cd "$(dirname "$0")" && pwd)
UI=$(cd "$HERE/../.." && pwd)
OUT=$(mktemp -d)/out.json
export DISPLAY=:99
Xvfb :99 -screen 0 1280x800x24 >/dev/null 2>&1 & XPID=$!
sleep 1
eval "$(dbus-launch --sh-syntax)"
if [ "$MODE" = ibus ]; then
  export GTK_IM_MODULE=ibus XMODIFIERS=@im=ibus
  ibus-daemon -drx >/dev/null 2>&1
  sleep 2
  ibus engine libpinyin
  echo "ibus engine: $(ibus engine)"
else
  export GTK_IM_MODULE=gtk-im-context-simple
fi
node "$UI/node_modules/vite/bin/vite.js" preview --strictPort --port 4175 --host 127.0.0.1 >/dev/null 2>&1 & VPID=$!
sleep 2
/usr/bin/python3 "$HERE/probe.py" http://127.0.0.1:4175/index.html "$OUT" 20 2>/dev/null & PYPID=$!
for _ in $(seq 1 100); do [ -f "$OUT.ready" ] && break; sleep 0.1; done
WID=$(xdotool search --name probe | head -1)
xdotool windowactivate --sync "$WID" 2>/dev/null; xdotool windowfocus --sync "$WID" 2>/dev/null
sleep 0.5
if [ -n "${PREFIX:-}" ]; then xdotool type --delay 120 "$PREFIX"; sleep 0.6; fi
xdotool type --delay 4 134520273825387649   # a scanner: 4 ms a key, then Enter
xdotool key Return
wait $PYPID
kill $VPID
[ "$MODE" = ibus ] && ibus exit >/dev/null 2>&1
kill "$DBUS_SESSION_BUS_PID" $XPID
/usr/bin/python3 - "$OUT" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print("\n".join(l for l in d["early"] if not l.startswith("keyup")))
print(f"screen={d['screen']} amount field={d['amount']} code on screen={d['code']}")
PY
