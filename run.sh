#!/usr/bin/env bash
# The station's one entry point for people and CI. Safe to repeat.
#   ./run.sh demo     set up (apt, venv, package) and play the demo on the simulator
#   ./run.sh test     set up, check the code (ruff, mypy) and run the whole test suite
#   ./run.sh lint     set up and check the code only: ruff (lint) and mypy (types)
#   ./run.sh bench    set up and run the benchmarks (out/bench/results.json)
#   ./run.sh panel    the therapist's panel on the simulated station (prints its PIN)
#   ./run.sh install-service   on a Pi: install and enable the systemd service
#   ./run.sh pi-check  before shipping: the test suite in an emulated arm64 Debian (slow)
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
VENV="$ROOT/.venv"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

is_pi() { grep -qi 'raspberry pi' /proc/device-tree/model 2>/dev/null; }

refuse_32_bit() {
  # NumPy, SciPy and matplotlib publish wheels for 64-bit ARM (aarch64) but none for
  # 32-bit ARM (armv7l/armhf): pip would try to compile them for hours and fail. A
  # 64-bit kernel under a 32-bit system (older Raspberry Pi OS) still has armhf packages.
  local arch bits
  arch=$(dpkg --print-architecture 2>/dev/null || uname -m)
  bits=$(getconf LONG_BIT 2>/dev/null || echo 64)
  case "$arch" in
    armhf|armel|armv7l|armv6l|i386) bits=32 ;;
  esac
  if [ "$bits" = 32 ]; then
    echo "run.sh: this is a 32-bit system ($arch). The station needs a 64-bit one: its" >&2
    echo "  numbers libraries (NumPy, SciPy) are not published for 32-bit ARM." >&2
    echo "  Install 'Raspberry Pi OS (64-bit)' (Raspberry Pi Imager offers it; it runs on" >&2
    echo "  a Pi 3, 4 or 5) or Debian 12 arm64, then run ./run.sh again." >&2
    exit 1
  fi
}

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
  #   postgresql: initdb and pg_ctl for the clinic tests' throw-away database (docs/clinic.md)
  # On a Pi (the venv then sees the system's packages):
  #   python3-libgpiod: the 'gpiod' module Blinka needs for a Pi 4/5's pins
  #   python3-lgpio: gpiozero's pins on a Pi 5 (only in Raspberry Pi OS; pip has it too)
  #   python3-rpi.gpio: gpiozero's pins on a Pi 1-4 (pip has only its source)
  #   i2c-tools: i2cdetect, to see which boards answer
  # What only the tests (and the benchmark) use is installed only for them: the demo on
  # a Pi gets no browser, no PulseAudio and no PostgreSQL server.
  local pkgs=(libfluidsynth3 timgm6mb-soundfont python3 python3-venv python3-dev make systemd
              gcc libc6-dev)
  case "${1:-}" in
    test) pkgs+=(jackd2 pulseaudio pulseaudio-utils chromium openssl postgresql) ;;
    bench) pkgs+=(jackd2) ;;
  esac
  is_pi && pkgs+=(python3-libgpiod python3-lgpio python3-rpi.gpio i2c-tools)
  apt_install "${pkgs[@]}"
}

apt_install() {
  local pkgs=("$@")
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
    # dpkg's progress goes to a log that is shown only when the install fails
    local log
    log=$(mktemp)
    if ! sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 \
        install -y -qq --no-install-recommends "$p" >"$log" 2>&1; then
      tail -n 20 "$log" >&2
      echo "run.sh: could not install '$p': skipped." >&2
    fi
    rm -f "$log"
  done
}

pip_install() {
  # pip's progress and the build backend's notes go to a log shown only when the install
  # fails: a fresh machine's set-up prints what it does, not pages of pip.
  local log
  log=$(mktemp)
  if ! "$VENV/bin/python" -m pip install -q --disable-pip-version-check "$@" >"$log" 2>&1; then
    grep -v "^WARNING: Location '.*' is ignored" "$log" | tail -n 40 >&2
    rm -f "$log"
    echo "run.sh: pip could not install $*: see above." >&2
    exit 1
  fi
  rm -f "$log"
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
    pip_install --upgrade pip
    local extras="test,lint"
    is_pi && extras="test,lint,pi"
    pip_install -e ".[$extras]"
    echo "$want" > "$stamp"
  fi
  if is_pi && ! "$VENV/bin/python" -c "import gpiod" 2>/dev/null; then
    # Blinka imports gpiod for the Pi's pins: from python3-libgpiod if the archive had
    # it (system site packages), else PyPI's (it has aarch64 wheels).
    say "installing gpiod (the Pi's GPIO lines, for Blinka)"
    pip_install gpiod
  fi
}

setup() { refuse_32_bit; apt_setup "${1:-}"; venv_setup; }

lint() {
  # The rules live in pyproject.toml ([tool.ruff], [tool.mypy]); each tool prints
  # path:line: what is wrong. Offline: both were installed with the venv (the lint extra).
  say "checking the code: ruff (lint rules) and mypy (types)"
  if ! "$VENV/bin/ruff" check --quiet --output-format concise; then
    echo "run.sh: ruff found the problems listed above (file:line:column: rule and what)." >&2
    echo "  Fix each one; 'ruff check --fix' fixes the safe ones itself." >&2
    exit 1
  fi
  if ! "$VENV/bin/mypy"; then
    echo "run.sh: mypy found the type errors listed above (file:line: what is wrong)." >&2
    echo "  Fix each one, or say why in a '# type: ignore[code]' comment on that line." >&2
    exit 1
  fi
}

pi_check() {
  # The test suite in an arm64 Debian bookworm root, run by qemu-user-static: what a
  # Raspberry Pi with a 64-bit OS will install and run. Built once (a few minutes, then
  # cached in .pi-check/, which git ignores); each run copies the project in afresh.
  # Needs root (debootstrap, chroot, binfmt). Not part of CI: the suite takes ~10 min.
  local root="$ROOT/.pi-check/bookworm-arm64"
  if [ "$(id -u)" -ne 0 ]; then
    echo "run.sh: pi-check needs root (debootstrap, chroot): sudo ./run.sh pi-check" >&2
    exit 1
  fi
  apt_install debootstrap qemu-user-static binfmt-support
  if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null || true
  fi
  update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
  if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
    echo "run.sh: this system cannot run arm64 programs (binfmt_misc with qemu-aarch64" >&2
    echo "  is not registered; in a container, the host must allow it)." >&2
    exit 1
  fi
  if [ ! -e "$root/.complete" ]; then
    say "building an arm64 Debian bookworm root in $root (once)"
    rm -rf "$root"
    mkdir -p "$root"
    debootstrap --arch=arm64 --foreign --variant=minbase \
      --include=ca-certificates,python3,sudo bookworm "$root" http://deb.debian.org/debian
    cp /usr/bin/qemu-aarch64-static "$root/usr/bin/"
    chroot "$root" /debootstrap/debootstrap --second-stage
    cp /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/" 2>/dev/null || true
    touch "$root/.complete"
  fi
  # Behind a proxy that re-signs TLS (its CA in /usr/local/share/ca-certificates), the
  # root must trust it as this machine does, or apt and pip cannot fetch anything.
  if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    mkdir -p "$root/usr/local/share/ca-certificates"
    cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
    chroot "$root" /usr/sbin/update-ca-certificates >/dev/null 2>&1 || true
  fi
  say "copying the project into the arm64 root"
  rm -rf "$root/opt/station"
  mkdir -p "$root/opt/station"
  git ls-files -z --cached --others --exclude-standard | \
    tar --null -T - -cf - | tar -xf - -C "$root/opt/station"
  PI_MOUNTS=()
  trap 'for m in "${PI_MOUNTS[@]}"; do umount "$m" 2>/dev/null || true; done' EXIT
  for fs in proc sys dev dev/pts; do
    mount --bind "/$fs" "$root/$fs" && PI_MOUNTS=("$root/$fs" "${PI_MOUNTS[@]}")
  done
  say "running the test suite on arm64 (emulated: expect ~10 minutes)"
  set +e
  local proxy=()
  for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
    [ -n "${!v:-}" ] && proxy+=("$v=${!v}")
  done
  chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    LANG=C.UTF-8 STATION_EMULATED=1 "${proxy[@]}" /bin/bash -c "cd /opt/station && uname -m && ./run.sh test $*"
  local rc=$?
  set -e
  return $rc
}

case "${1:-}" in
  demo)
    setup
    say "playing the demo sessions on the simulated station (station demo, station/cli/demo.py)"
    "$VENV/bin/station" demo --out out
    ;;
  test)
    setup test
    shift
    lint
    # Two workers (pytest-xdist): most tests wait on a real subprocess (the daemon,
    # FluidSynth, Chromium, JACK), so the second core halves the wall time. Every test
    # makes its own folders, sockets, ports and server names, so workers never meet.
    # Whole files per worker, in collection order (tests/conftest.py puts the longest
    # first; xdist would otherwise put one-test files such as the soak last).
    workers="${STATION_TEST_WORKERS:-2}"
    # Bytecode once, before the workers start. The tests start hundreds of `station`
    # processes (daemons, the CLI, report children); where PYTHONDONTWRITEBYTECODE is
    # set (many CI images and containers) each of them compiled the station's modules
    # again (0.2 s of CPU a process) and each worker re-rewrote every test module (6 s).
    # Compiled files go to __pycache__ (ignored by git), as any run without that setting.
    "$VENV/bin/python" -m compileall -q -j 0 station hardware bench >/dev/null || true
    export PYTHONDONTWRITEBYTECODE=
    say "running the test suite ($workers workers)"
    set +e
    if [ "$workers" -gt 1 ] 2>/dev/null; then
      "$VENV/bin/python" -m pytest -n "$workers" --dist loadfile --no-loadscope-reorder "$@"
    else
      "$VENV/bin/python" -m pytest "$@"
    fi
    rc=$?
    set -e
    if [ $rc -eq 5 ]; then echo "run.sh: pytest ran no tests: that is a failure." >&2; exit 1; fi
    exit $rc
    ;;
  lint)
    setup
    lint
    ;;
  bench)
    setup bench
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
  pi-check)
    shift
    pi_check "$@"
    ;;
  *)
    echo "usage: ./run.sh demo | test | lint | bench | panel | install-service | pi-check" >&2
    exit 2
    ;;
esac
