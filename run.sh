#!/usr/bin/env bash
# The station's one entry point for people and CI. Safe to repeat.
#   ./run.sh demo     set up (apt, venv, package) and play the demo on the simulator
#   ./run.sh test     set up and run the whole test suite
#   ./run.sh bench    set up and run the benchmarks (out/bench/results.json)
#   ./run.sh panel    the therapist's panel on the simulated station (prints its PIN)
#   ./run.sh install-service   on a Pi: install and enable the systemd service
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
VENV="$ROOT/.venv"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

is_pi() { grep -qi 'raspberry pi' /proc/device-tree/model 2>/dev/null; }

apt_setup() {
  # Each package is checked and installed on its own: one that this system's archive does
  # not have (python3-lgpio exists only in Raspberry Pi OS) is reported and skipped, never
  # a reason to abort the rest.
  #   libfluidsynth3, timgm6mb-soundfont: the synth and its General MIDI soundfont
  #   python3-venv, python3-dev, make: the virtual environment and builds
  #   systemd: systemd-analyze, for the test that verifies deploy/station.service
  #   jackd2: JACK's dummy backend, real-time audio tests and the end-to-end benchmark
  #   pulseaudio, pulseaudio-utils: a real PulseAudio server (null sink) for the driver test
  #   chromium: the browser the panel and report tests drive (Playwright, no download)
  #   openssl: a throw-away certificate for the panel's HTTPS test
  #   gcc, libc6-dev: compile the output ceiling's limiter (station/sound/limiter.c)
  local pkgs=(libfluidsynth3 timgm6mb-soundfont python3 python3-venv python3-dev make systemd
              jackd2 pulseaudio pulseaudio-utils chromium openssl gcc libc6-dev)
  is_pi && pkgs+=(python3-lgpio python3-rpi.gpio i2c-tools)   # gpiozero prefers lgpio (Pi 5)
  local missing=() p updated=0
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  for p in "${missing[@]}"; do
    if [ $updated -eq 0 ]; then
      say "updating the package lists"
      sudo_if_needed apt-get -o DPkg::Lock::Timeout=300 update -qq || true
      updated=1
    fi
    if ! apt-cache show "$p" >/dev/null 2>&1; then
      echo "run.sh: the package '$p' is not in this system's archive: skipped." >&2
      continue
    fi
    say "installing the system package $p"
    sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq \
      --no-install-recommends "$p" || echo "run.sh: could not install '$p': skipped." >&2
  done
}

venv_setup() {
  local py=python3
  if [ ! -x "$VENV/bin/python" ]; then
    say "creating the virtual environment in .venv"
    if is_pi; then "$py" -m venv --system-site-packages "$VENV"; else "$py" -m venv "$VENV"; fi
  fi
  local stamp="$VENV/.installed" want
  # the compiled limiter is rebuilt whenever its source or the build files change
  want=$(cat pyproject.toml setup.py station/sound/*.c | sha256sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    say "installing the station and its Python packages"
    "$VENV/bin/python" -m pip install -q --upgrade pip
    local extras="test"
    is_pi && extras="test,pi"
    "$VENV/bin/python" -m pip install -q -e ".[$extras]"
    echo "$want" > "$stamp"
  fi
}

setup() { apt_setup; venv_setup; }

case "${1:-}" in
  demo)
    setup
    say "playing the demo sessions on the simulated station (station demo, station/cli/demo.py)"
    "$VENV/bin/station" demo --out out
    ;;
  test)
    setup
    shift
    say "running the test suite"
    set +e
    "$VENV/bin/python" -m pytest "$@"
    rc=$?
    set -e
    if [ $rc -eq 5 ]; then echo "run.sh: pytest ran no tests: that is a failure." >&2; exit 1; fi
    exit $rc
    ;;
  bench)
    setup
    "$VENV/bin/python" -m bench "${@:2}"
    ;;
  panel)
    setup
    demo=out/panel-demo
    mkdir -p "$demo/clients"
    for f in configs/clients/*.yaml; do
      [ -f "$demo/clients/$(basename "$f")" ] || cp "$f" "$demo/clients/"
    done
    sed -e "s#^clients_dir: .*#clients_dir: clients#" \
        -e "s#^journal: .*#journal: $ROOT/$demo/station.db#" configs/station.yaml > "$demo/station.yaml"
    printf 'control_socket: %s\npanel: {enabled: true, port: %s, bind: 0.0.0.0}\n' \
      "$ROOT/$demo/station.sock" "${PANEL_PORT:-8080}" >> "$demo/station.yaml"
    "$VENV/bin/station" panel pin --new --config "$demo/station.yaml"
    "$VENV/bin/station" panel --config "$demo/station.yaml"
    say "the station runs on the simulator until Ctrl-C"
    exec "$VENV/bin/station" run --config "$demo/station.yaml" --hardware sim --no-audio
    ;;
  install-service)
    setup
    say "installing the station as a systemd service (needs root)"
    sudo_if_needed "$ROOT/deploy/install-service.sh"
    ;;
  *)
    echo "usage: ./run.sh demo | test | bench | panel | install-service" >&2
    exit 2
    ;;
esac
