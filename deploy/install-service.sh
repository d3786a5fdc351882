#!/usr/bin/env bash
# Install the station as a systemd service on a Raspberry Pi. Safe to repeat.
#
#   sudo deploy/install-service.sh          (or: ./run.sh install-service)
#
# Creates the 'station' user (groups gpio, i2c, audio), puts the config in /etc/station
# (never overwriting files already there: they are the therapist's), the journal folder
# in /var/lib/station (0700: health data), installs and enables station.service, and
# masks FluidSynth's own user service (it would grab the sound card).
# STATION_DESTDIR=/some/dir stages every file under that folder instead and skips the
# steps that change the system (users, systemctl): for packaging and for the tests.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST=${STATION_DESTDIR:-}
USER_NAME=station
CONF="$DEST/etc/station"
DATA="$DEST/var/lib/station"
UNIT="$DEST/etc/systemd/system/station.service"

say() { printf '==> %s\n' "$*"; }
system() { if [ -n "$DEST" ]; then say "(staged: skipped) $*"; else "$@"; fi; }

if [ -z "$DEST" ] && [ "$(id -u)" -ne 0 ]; then
  echo "install-service: run it as root: sudo $0" >&2
  exit 1
fi
if [ ! -x "$ROOT/.venv/bin/station" ] && [ -z "$DEST" ]; then
  echo "install-service: $ROOT/.venv/bin/station is missing; run ./run.sh test first." >&2
  exit 1
fi

case "$ROOT" in
  /home/*|/root/*)
    echo "install-service: warning: $ROOT is under a home folder, which the sandboxed unit" \
         "cannot see (ProtectHome=yes). Put the station in /opt/station." >&2 ;;
esac

say "user '$USER_NAME' in groups gpio, i2c, audio"
if ! getent passwd "$USER_NAME" >/dev/null; then
  system useradd --system --user-group --home-dir /var/lib/station --no-create-home \
    --shell /usr/sbin/nologin "$USER_NAME"
fi
for g in gpio i2c audio; do
  getent group "$g" >/dev/null || system groupadd --system "$g"
  system usermod -aG "$g" "$USER_NAME"
done

say "config in $CONF (existing files are kept)"
install -d -m 0755 "$CONF" "$CONF/plans"
install -d -m 0700 "$CONF/clients"     # profiles hold names, goals and consent
if [ ! -f "$CONF/station.yaml" ]; then
  sed -e 's#^journal: .*#journal: /var/lib/station/station.db#' \
      "$ROOT/configs/station.yaml" > "$CONF/station.yaml"
  grep -q '^control_socket:' "$CONF/station.yaml" ||
    echo 'control_socket: /run/station/station.sock' >> "$CONF/station.yaml"
fi
for f in "$ROOT"/configs/clients/*.yaml; do
  [ -f "$CONF/clients/$(basename "$f")" ] || install -m 0600 "$f" "$CONF/clients/"
done
for f in "$ROOT"/configs/plans/*.yaml; do     # session plans (docs/session-music.md)
  [ -f "$CONF/plans/$(basename "$f")" ] || install -m 0644 "$f" "$CONF/plans/"
done
# The panel edits client profiles (docs/panel.md): the station's user owns that folder.
if getent passwd "$USER_NAME" >/dev/null; then system chown -R "$USER_NAME:$USER_NAME" "$CONF/clients"; fi

say "data in $DATA (owner only)"
install -d -m 0700 "$DATA"
if getent passwd "$USER_NAME" >/dev/null; then system chown "$USER_NAME:$USER_NAME" "$DATA"; fi

say "unit $UNIT"
install -d -m 0755 "$(dirname "$UNIT")"
sed "s#@ROOT@#$ROOT#g" "$ROOT/deploy/station.service" > "$UNIT.new"
chmod 0644 "$UNIT.new"
mv "$UNIT.new" "$UNIT"

if [ -z "$DEST" ] && ! runuser -u "$USER_NAME" -- test -x "$ROOT/.venv/bin/station"; then
  echo "install-service: warning: the '$USER_NAME' user cannot run $ROOT/.venv/bin/station" \
       "(a private home folder?). Put the station in /opt/station or chmod o+x the folders." >&2
fi

say "mask FluidSynth's user service; enable station.service"
system systemctl --global mask fluidsynth.service
system systemctl daemon-reload
system systemctl enable station.service
say "done. Start it now with: sudo systemctl start station; then: station status --config /etc/station/station.yaml"
