#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine (or an existing one) to run and test ESCA Assessor:
# the system libraries Qt needs without a display, fonts, the PDF tools the tests use, then a
# virtual environment in .venv with the program and its test tools. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

SYSTEM_PACKAGES=(
  # Qt (PySide6) offscreen and under Xvfb
  libegl1 libgl1 libx11-6 libx11-xcb1 libdbus-1-3 libfontconfig1 libfreetype6 libglib2.0-0
  libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-render-util0 libxcb-render0 libxcb-shape0 libxcb-util1 libxcb-xkb1 libxcb-randr0
  libxcb-shm0 libxcb-sync1 libxcb-xfixes0 xvfb xauth
  # fonts, and the PDF tools the tests check documents with
  fonts-dejavu-core poppler-utils qpdf
  # a real Secret Service for the keyring test: GNOME Keyring on a private D-Bus session
  gnome-keyring dbus-daemon dbus-bin
)

if command -v apt-get >/dev/null 2>&1; then
  missing=()
  for package in "${SYSTEM_PACKAGES[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "Installing system packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
else
  echo "Not a Debian-like system: install the Qt runtime libraries and poppler-utils yourself." >&2
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test,server]'
