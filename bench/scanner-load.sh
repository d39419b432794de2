#!/usr/bin/env bash
# The scanner under load in the real window: BURSTS wedge bursts (default 1,000) at 4–8 ms a key with
# an Enter suffix, mixed with a person's typing of bills and amounts at 70–150 ms a key, all through the
# X server (XTEST), against the app on its embedded sandbox. It fails on any scan lost or garbled, any
# scanned character left in a field, any typed key taken for a scan, any charge of another amount; it
# prints how long each burst took to show, from its Enter (p50/p99/max, per kind of burst).
#
#   bench/scanner-load.sh [BURSTS]     (needs ui/dist and scripts/setup-desktop; ~14 min for 1,000)
#
# The e2e suite runs the same test with a dozen bursts; this is the long run behind the figures in
# docs/desktop.md. Run it on a quiet machine: a build beside it shows up in the frame times.
set -euo pipefail
cd "$(dirname "$0")/.."
bursts=${1:-1000}
[ -f ui/dist/index.html ] || { echo "ui/dist/index.html is missing: build the UI first (cd ui && npm ci && npm run build)" >&2; exit 1; }
command -v xvfb-run >/dev/null || { echo "xvfb-run is missing: run scripts/setup-desktop" >&2; exit 1; }
cargo build -q -p cashier-app --tests
CASHIER_E2E=1 CASHIER_SCAN_BURSTS=$bursts xvfb-run -a -s "-screen 0 1280x800x24" \
  cargo test -q -p cashier-app --test e2e -- --test-threads=1 --nocapture \
  scanner_load::scanner_bursts_mixed_with_typing_are_all_read_and_nothing_leaks
