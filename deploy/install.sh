#!/usr/bin/env bash
# Installs Mimamori on a Debian 12 server from a checkout: binaries, user, folders, unit, sample
# settings, broker users. The Debian package (`make deb`) is the other way; not both on one server.
# Usage (as root, from a checkout): deploy/install.sh [--prefix /usr/local]
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=/usr/local
[ "${1:-}" = --prefix ] && prefix=$2

[ "$(id -u)" = 0 ] || { echo "install: run as root" >&2; exit 1; }
scripts/deps.sh
swift build -c release
bin=$(swift build -c release --show-bin-path)

install -d "$prefix/bin"
install -m 0755 "$bin/mimamorid" "$bin/mimamori" "$prefix/bin/"
# The radio's Open JTalk wrapper (radio.tts-command); scripts/deps.sh installed Open JTalk and its voice.
install -d "$prefix/lib/mimamori"
install -m 0755 deploy/open-jtalk-tts "$prefix/lib/mimamori/"

getent group mimamori >/dev/null || groupadd --system mimamori
getent passwd mimamori >/dev/null || useradd --system --gid mimamori --home-dir /var/lib/mimamori \
    --shell /usr/sbin/nologin --comment "Mimamori daemon" mimamori

install -d -m 0750 -o root -g mimamori /etc/mimamori /etc/mimamori/templates /etc/mimamori/publishers
install -d -m 0700 -o root -g root /etc/mimamori/credentials
install -d -m 0750 -o mimamori -g mimamori /var/spool/mimamori /var/spool/mimamori/radio
for f in mimamori.yaml cooperators.csv; do
    [ -e "/etc/mimamori/$f" ] || install -m 0640 -o root -g mimamori "config/$f" "/etc/mimamori/$f"
done
cp -rn config/templates/. /etc/mimamori/templates/ 2>/dev/null || true
for c in broker-password smtp-password fax-token; do
    [ -e "/etc/mimamori/credentials/$c" ] || install -m 0600 /dev/null "/etc/mimamori/credentials/$c"
done

# Broker users get generated passwords (kept, root only, so a second run changes nothing); the
# broker loads the definitions with their hashes, the daemon's password becomes its credential.
users=/etc/mimamori/broker-users
deploy/broker-users.sh deploy/rabbitmq/definitions.json "$users/definitions.json" "$users"
for u in "$users"/mimamori-*; do
    [ -s /etc/mimamori/credentials/broker-password ] || install -m 0600 "$u" /etc/mimamori/credentials/broker-password
done
if [ -d /etc/rabbitmq ]; then
    install -m 0640 -o root -g "$(getent group rabbitmq >/dev/null && echo rabbitmq || echo root)" \
        "$users/definitions.json" /etc/rabbitmq/mimamori-definitions.json
fi

install -m 0644 systemd/mimamorid.service /etc/systemd/system/mimamorid.service
systemctl daemon-reload 2>/dev/null || true

cat <<MSG
Installed mimamorid and mimamori into $prefix/bin.
Next:
  1. edit /etc/mimamori/mimamori.yaml and /etc/mimamori/cooperators.csv
  2. put the police side's public key into /etc/mimamori/publishers/<key-id>.pub
  3. write the secrets into /etc/mimamori/credentials/{smtp-password,fax-token}; the broker users'
     passwords were generated into $users/ (broker-password is the daemon's already): load
     /etc/rabbitmq/mimamori-definitions.json into the broker (rabbitmqctl import_definitions …)
     and hand $users/police-* to the police side's integrator
  4. mimamori check-config --config /etc/mimamori/mimamori.yaml
  5. systemctl enable --now mimamorid; journalctl -u mimamorid -f
MSG
