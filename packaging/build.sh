#!/usr/bin/env bash
# Builds the one-folder application dist/esca-desktop/ with PyInstaller (packaging/esca-desktop.spec),
# then smoke-tests the BUILT program: version, demo data, catalogs, assessments, scoring, a PDF with the
# bundled fonts, and the window started offscreen to its first paint. Any failure exits non-zero.
#
#   packaging/bootstrap.sh      # once: system libraries and .venv
#   packaging/build.sh          # build + smoke test (≈ 2 min on 2 cores)
#   SKIP_BUILD=1 packaging/build.sh   # smoke-test an existing dist/esca-desktop only
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

if [ "${1:-}" = "--signing-round-trip" ]; then
  # Internal: run by the smoke test inside `dbus-run-session`, with a throw-away GNOME Keyring, so that
  # the bundle's keyring backend (SecretService over D-Bus), pyHanko and the verifier are exercised.
  BIN=$2 DATA=$3 OUT=$4 GOLD=$5
  echo -n "smoke-test" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  "$BIN" --data-dir "$DATA" identity create --name "Smoke Test" --email smoke@example.org
  "$BIN" --data-dir "$DATA" assessment finalise "$GOLD"
  "$BIN" --data-dir "$DATA" report "$GOLD" --sign --out "$OUT"
  "$BIN" --data-dir "$DATA" verify "$OUT"
  exit
fi

PYINSTALLER_VERSION=6.22.3
HOOKS_CONTRIB_VERSION=2026.9
PYTHON=${PYTHON:-.venv/bin/python}
APP_DIR=dist/esca-desktop
APP=$APP_DIR/esca-desktop

fail() {
  echo "build.sh: FAILED: $*" >&2
  exit 1
}

[ -x "$PYTHON" ] || fail "no virtual environment at .venv: run packaging/bootstrap.sh first"

# --- the Linux desktop integration files --------------------------------------------------------
LINUX=packaging/linux/eu.cluster-analysis.EscaAssessor
"$PYTHON" -c 'import sys, xml.etree.ElementTree as ET; [ET.parse(f) for f in sys.argv[1:]]' \
  "$LINUX.svg" "$LINUX.metainfo.xml" || fail "$LINUX.svg or .metainfo.xml is not well-formed XML"
if command -v desktop-file-validate >/dev/null 2>&1; then
  desktop-file-validate "$LINUX.desktop" || fail "desktop-file-validate rejected $LINUX.desktop"
else
  echo "desktop-file-validate not found (apt-get install desktop-file-utils): $LINUX.desktop not validated"
fi
if command -v appstreamcli >/dev/null 2>&1; then
  appstreamcli validate --no-net "$LINUX.metainfo.xml" || fail "appstreamcli rejected $LINUX.metainfo.xml"
else
  echo "appstreamcli not found (apt-get install appstream): $LINUX.metainfo.xml not validated"
fi

if [ "${SKIP_BUILD:-}" != 1 ]; then
  installed=$("$PYTHON" -c 'import PyInstaller; print(PyInstaller.__version__)' 2>/dev/null || true)
  if [ "$installed" != "$PYINSTALLER_VERSION" ]; then
    echo "Installing PyInstaller $PYINSTALLER_VERSION into .venv (found: ${installed:-none})"
    "$PYTHON" -m pip install --quiet --disable-pip-version-check \
      "pyinstaller==$PYINSTALLER_VERSION" "pyinstaller-hooks-contrib==$HOOKS_CONTRIB_VERSION" \
      || fail "pip could not install pyinstaller==$PYINSTALLER_VERSION"
  fi
  # PyInstaller reads binary dependencies with ldd and objdump (binutils) on Linux.
  if ! command -v objdump >/dev/null 2>&1; then
    command -v apt-get >/dev/null 2>&1 || fail "objdump is missing: install binutils"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "Installing binutils (objdump) for PyInstaller"
    { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends binutils >/dev/null; } \
      || fail "could not install binutils (objdump)"
  fi

  echo "Building $APP_DIR with PyInstaller $PYINSTALLER_VERSION (log: build/pyinstaller.log)"
  rm -rf build/esca-desktop "$APP_DIR"
  mkdir -p build
  started=$(date +%s)
  if ! "$PYTHON" -m PyInstaller --clean --noconfirm --log-level WARN \
      --distpath dist --workpath build packaging/esca-desktop.spec >build/pyinstaller.log 2>&1; then
    tail -n 40 build/pyinstaller.log >&2
    fail "PyInstaller failed (full log: build/pyinstaller.log)"
  fi
  grep -E "esca-desktop.spec:" build/pyinstaller.log || true
  echo "Built in $(( $(date +%s) - started )) s"
fi

[ -x "$APP" ] || fail "$APP was not built"

# --- smoke test of the built program -------------------------------------------------------------
# Everything runs in throw-away folders: data, settings, and a HOME without the developer's keyring.
SMOKE=$(mktemp -d)
trap 'rm -rf "$SMOKE"' EXIT
DATA=$SMOKE/data
export ESCA_DESKTOP_CONFIG_DIR=$SMOKE/config HOME=$SMOKE/home XDG_DATA_HOME=$SMOKE/home/.local/share
export XDG_CONFIG_HOME=$SMOKE/home/.config XDG_CACHE_HOME=$SMOKE/home/.cache
mkdir -p "$HOME"
# The bundle must not borrow anything from the checkout or the venv.
unset PYTHONPATH PYTHONHOME VIRTUAL_ENV
cd "$SMOKE"

step() {  # step NAME EXPECTED-REGEX COMMAND...: run, show the output, check exit code and text
  local name=$1 expect=$2
  shift 2
  local out rc=0
  out=$("$@" 2>&1) || rc=$?
  # The first 12 lines and the last 4 (awk reads everything: head would close the pipe and trip pipefail).
  printf '%s\n' "$out" | awk -v n="$name" '{ line[NR] = $0 } END {
    for (i = 1; i <= NR; i++) if (i <= 12 || i > NR - 4) print "  [" n "] " line[i]; else if (i == 13) print "  [" n "] …" }'

  [ "$rc" -eq 0 ] || fail "'$name' exited with $rc: $*"
  if [ -n "$expect" ] && ! grep -qE -- "$expect" <<<"$out"; then
    fail "'$name' did not print \"$expect\""
  fi
  if grep -qE "Traceback|ModuleNotFoundError|No module named" <<<"$out"; then
    fail "'$name' printed a Python error"
  fi
}

BIN=$ROOT/$APP
echo "Smoke test of $APP"
version=$("$ROOT/.venv/bin/python" -c 'import esca_desktop; print(esca_desktop.__version__)' 2>/dev/null || echo "")
step "--version" "^esca-desktop ${version//./\\.}$" "$BIN" --version
step "profile" "Smoke Test" "$BIN" --data-dir "$DATA" profile set --name "Smoke Test"  # every change names its author
step "demo" "gold" "$BIN" --data-dir "$DATA" demo
# Alembic ran from the bundle's script folder, up to the newest schema this source knows.
schema=$("$ROOT/.venv/bin/python" - "$DATA" <<'PY' 2>&1
import sqlite3, sys
from pathlib import Path
from esca_desktop.paths import database_path
from esca_desktop.storage.database import HEAD_REVISION
with sqlite3.connect(database_path(Path(sys.argv[1]))) as conn:
    stored = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
print(f"schema {stored}" if stored == HEAD_REVISION else f"schema {stored}, expected {HEAD_REVISION}")
PY
) || fail "could not read the schema version of the demo database: $schema"
echo "  [schema] $schema"
[[ "$schema" != *expected* ]] || fail "the bundle migrated the database to $schema: a migration script is missing"
step "catalog list" "gold" "$BIN" --data-dir "$DATA" catalog list
step "catalog show" "" "$BIN" --data-dir "$DATA" catalog show gold
step "assessment list --json" '"scheme": "gold"' "$BIN" --data-dir "$DATA" assessment list --json

gold=$("$BIN" --data-dir "$DATA" assessment list --json | "$ROOT/.venv/bin/python" -c \
  'import json, sys; print(next(a["id"] for a in json.load(sys.stdin) if a["scheme"] == "gold"))') \
  || fail "could not find the Gold sample in 'assessment list --json'"
step "assessment score" "Total:" "$BIN" --data-dir "$DATA" assessment score "$gold"
step "assessment score --json" '"total"' "$BIN" --data-dir "$DATA" assessment score "$gold" --json
# A PDF needs ReportLab and the bundled DejaVu fonts; 'verify' needs pyHanko (exit 1: not signed).
step "protocol" "written" "$BIN" --data-dir "$DATA" protocol "$gold" --out "$SMOKE/protocol.pdf"
[ -s "$SMOKE/protocol.pdf" ] || fail "the protocol PDF is empty"
step "report" "written" "$BIN" --data-dir "$DATA" report "$gold" --out "$SMOKE/report.pdf"
rc=0
verify_out=$("$BIN" --data-dir "$DATA" verify "$SMOKE/report.pdf" 2>&1) || rc=$?
printf '%s\n' "$verify_out" | sed 's/^/  [verify] /'
{ [ "$rc" -eq 1 ] && grep -q "no signature" <<<"$verify_out"; } || fail "'verify' of an unsigned PDF: exit $rc"
# Signing (keyring + pyHanko) needs a password store: a throw-away GNOME Keyring when the machine has one.
if command -v gnome-keyring-daemon >/dev/null 2>&1 && command -v dbus-run-session >/dev/null 2>&1; then
  step "signed report" "Intact: +yes" timeout 120 dbus-run-session -- \
    bash "$ROOT/packaging/build.sh" --signing-round-trip "$BIN" "$DATA" "$SMOKE/signed.pdf" "$gold"
else
  echo "  [signed report] skipped: needs gnome-keyring and dbus (apt-get install gnome-keyring dbus)"
fi
# Opening a database again must not migrate or fail (Alembic's scripts were found the first time).
step "assessment list (reopen)" "gold" "$BIN" --data-dir "$DATA" assessment list

# The window until its first paint (the program prints the time and quits): offscreen, and on a real
# X server (Xvfb) when there is one, which loads the bundle's xcb platform plugin and its libraries.
probe_window() {  # probe_window NAME COMMAND-PREFIX...
  local name=$1 probe rc=0
  shift
  probe=$(ESCA_DESKTOP_STARTUP_PROBE=1 timeout 60 "$@" "$BIN" --data-dir "$DATA" 2>&1) || rc=$?
  printf '%s\n' "$probe" | sed -n "1,20s/^/  [$name] /p"
  [ "$rc" -eq 0 ] || fail "the window did not start ($name, exit $rc)"
  grep -q "^first-paint-ms " <<<"$probe" || fail "the window did not report its first paint ($name)"
  if grep -qE "Traceback|Cannot load library|Could not load the Qt platform plugin" <<<"$probe"; then
    fail "the window start printed an error ($name)"
  fi
}
probe_window "window offscreen" env QT_QPA_PLATFORM=offscreen
if command -v xvfb-run >/dev/null 2>&1; then
  probe_window "window xcb" xvfb-run -a -s "-screen 0 1280x800x24" env QT_QPA_PLATFORM=xcb
else
  echo "  [window xcb] skipped: xvfb-run not found"
fi

cd "$ROOT"
size=$(du -sh "$APP_DIR" | cut -f1)
files=$(find "$APP_DIR" -type f | wc -l)
echo "Smoke test passed."
echo "Bundle: $APP_DIR — $size in $files files (build and smoke test: ${SECONDS} s)"
