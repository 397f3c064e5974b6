#!/usr/bin/env bash
# Screenshots of every screen of the real window, for the README: docs/screenshots/NN-name.png.
#
# Builds the release binary, loads the demo data into a temporary data folder, opens the station on a
# virtual X server (Xvfb, 1280x800) and drives it with xdotool as a clerk would: sign in, scan an RMA,
# inspect the package, decide, confirm (with its bin label), then the queues, records and settings screens,
# and after a second package the daily view. A PNG is taken after each step.
#
# Usage: scripts/screenshots.sh              (from anywhere in the repository)
#        CI=true scripts/screenshots.sh      (as root: first installs with apt whatever is missing)
#        PROFILE=dev scripts/screenshots.sh  (the debug binary the tests build, instead of a release build)
#
# Needs: Xvfb, xdotool, xwd and ImageMagick's convert, plus the libraries the window opens at run time
# (the same as the window smoke test in scripts/check.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=docs/screenshots
# Seconds to let the window answer a step: it redraws in the next frame, but the PIN check (Argon2) and
# database answers come from other threads.
STEP=1

# ----- what the script needs from the system -----

# Debian package for each command and library; only the missing ones are listed.
missing=()
command -v Xvfb >/dev/null 2>&1 || missing+=(xvfb)
command -v xdotool >/dev/null 2>&1 || missing+=(xdotool)
command -v xwd >/dev/null 2>&1 || missing+=(x11-apps)
# A stand-in named convert may exist; the real one says it is ImageMagick.
convert -version 2>/dev/null | grep -q ImageMagick || missing+=(imagemagick)
for lib in libxcursor1 libxi6 libxkbcommon-x11-0 libgl1-mesa-dri libegl1; do
    dpkg-query -W -f='${Status}' "$lib" 2>/dev/null | grep -q 'install ok installed' || missing+=("$lib")
done
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "${CI:-}" = true ]; then
        echo "== installing ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "missing: ${missing[*]}" >&2
        echo "install them (apt-get install ${missing[*]}) or run with CI=true as root" >&2
        exit 1
    fi
fi

# ----- build and demo data -----

PROFILE=${PROFILE:-release}
echo "== cargo build --profile $PROFILE"
cargo build --profile "$PROFILE"
if [ "$PROFILE" = dev ]; then BIN="$PWD/target/debug/rma-station"; else BIN="$PWD/target/$PROFILE/rma-station"; fi

# Everything the script starts or makes, cleaned up however it ends. The station runs in a temporary
# folder with the relative data folder "demo-data", so the screens show that short name, not a random path.
WORK=$(mktemp -d)
DATA="$WORK/demo-data"
XVFB_PID=
APP_PID=
cleanup() {
    set +e # a process that has already ended must not stop the rest of the clean-up
    for pid in $APP_PID $XVFB_PID; do
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "== demo data into $DATA"
(cd "$WORK" && "$BIN" --data-dir demo-data demo)

# ----- the virtual screen and the window -----

# Xvfb picks a free display itself and writes its number to the file given by -displayfd.
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$WORK/display" >"$WORK/xvfb.log" 2>&1 &
XVFB_PID=$!
for _ in $(seq 50); do
    [ -s "$WORK/display" ] && break
    sleep 0.1
done
[ -s "$WORK/display" ] || { echo "Xvfb did not start:" >&2; cat "$WORK/xvfb.log" >&2; exit 1; }
export DISPLAY=":$(head -n1 "$WORK/display")"
unset WAYLAND_DISPLAY # the window must open on the X server, not on a Wayland session
echo "== Xvfb on $DISPLAY"

# No subcommand: the window. exec keeps the PID of the subshell, so $! is the station's own.
(cd "$WORK" && exec "$BIN" --data-dir demo-data) >"$WORK/station.log" 2>&1 &
APP_PID=$!
WINDOW=$(timeout 30 xdotool search --sync --name "RMA Station" | head -n1) || {
    echo "the station's window did not appear:" >&2
    cat "$WORK/station.log" >&2
    exit 1
}
xdotool windowfocus --sync "$WINDOW"
sleep "$STEP"

mkdir -p "$OUT"

# shot NAME: the whole screen as $OUT/NAME.png. A flat dark UI fits in 256 colours with no visible
# change (about 58 dB PSNR) at a third of the size; no metadata, so an unchanged screen is an unchanged file.
shot() {
    sleep "$STEP"
    if ! kill -0 "$APP_PID" 2>/dev/null; then
        echo "the station closed before $1:" >&2
        cat "$WORK/station.log" >&2
        exit 1
    fi
    xwd -root -silent |
        convert xwd:- +dither -colors 256 -strip -define png:compression-level=9 "$OUT/$1.png"
    echo "   $OUT/$1.png"
}
# type_text TEXT: keys as a keyboard-wedge scanner or a clerk would type them.
type_text() {
    xdotool type --delay 40 "$1"
}
key() {
    xdotool key "$@"
    sleep "$STEP"
}
# scan CODE: typed into the focused scan field, ended with Return.
scan() {
    type_text "$1"
    key Return
}

echo "== driving the window"

# 1. Sign in: the operator field has the focus; the demo operators are listed on the screen.
type_text sam
key Tab
type_text 1357
shot 01-sign-in
key Return
sleep 2 # the PIN check is slow on purpose (Argon2)

# 2. Intake: scan an RMA label; the match card shows the RMA, its order and its items.
scan RMA-2026-0108
shot 02-intake-match

# 3. Inspection: Return on the empty scan field opens the package; each scanned SKU ticks off a unit.
key Return
scan KVM-4P-DP
scan KVM-4P-DP
scan CBL-KVM-USB-2M
scan CBL-KVM-USB-2M
shot 03-inspection

# 4. Decision: Return on the empty field decides by the merchant's policy.
key Return
shot 04-decision

# 5. Return confirms: the decision is saved, queued, and the bench is back at intake with a banner.
key Return
shot 05-intake-after

# 6. Queues (F3).
key F3
shot 06-queues

# 7. Records (F4): Tab from the scan field to the find field, find the package by its RMA number.
key F4
key Tab
type_text RMA-2026-0108
key Return
shot 07-records

# 8. Settings (F5).
key F5
shot 08-settings

# 9. The daily view (F9), after a second merchant's package: back to intake (F1), scan, open, tick off the
# panel and four door sensors, decide, confirm.
key F1
scan KN-RMA-0201
key Return
for sku in KN-PRO-PANEL KN-DOOR-SENSOR KN-DOOR-SENSOR KN-DOOR-SENSOR KN-DOOR-SENSOR; do
    scan "$sku"
done
key Return
key Return
key F9
shot 09-dashboard

echo "== done: $(ls "$OUT"/*.png | wc -l) screenshots in $OUT"
