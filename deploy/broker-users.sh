#!/usr/bin/env bash
# Gives every broker user of deploy/rabbitmq/definitions.json a password: a new random one, or the
# one already in PASSWORDS/<user> (so running it again changes nothing). Writes the definitions
# with their password hashes (RabbitMQ's rabbit_password_hashing_sha256) for the broker to load,
# and each password into PASSWORDS/<user> (0600): the daemon's becomes its broker-password
# credential, the police side's is handed to its integrator.
# Usage: deploy/broker-users.sh DEFINITIONS.json OUT.json PASSWORDS-DIR
set -euo pipefail
[ $# = 3 ] || { echo "usage: $0 DEFINITIONS.json OUT.json PASSWORDS-DIR" >&2; exit 2; }
in=$1 out=$2 dir=$3
umask 077
mkdir -p "$dir"
python3 - "$in" "$out" "$dir" <<'PY'
import base64, hashlib, json, os, secrets, sys

source, target, folder = sys.argv[1:4]
with open(source, encoding="utf-8") as f:
    definitions = json.load(f)
for user in definitions.get("users", []):
    path = os.path.join(folder, user["name"])
    password = ""
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            password = f.read().strip()
    if not password:
        password = secrets.token_urlsafe(24)
        with open(path, "w", encoding="utf-8") as f:
            f.write(password + "\n")
    os.chmod(path, 0o600)
    # rabbit_password_hashing_sha256: base64(salt ‖ sha256(salt ‖ password)), a 4-byte salt.
    salt = secrets.token_bytes(4)
    user["password_hash"] = base64.b64encode(salt + hashlib.sha256(salt + password.encode()).digest()).decode()
    user["hashing_algorithm"] = "rabbit_password_hashing_sha256"
with open(target, "w", encoding="utf-8") as f:
    json.dump(definitions, f, ensure_ascii=False, indent=2)
    f.write("\n")
for user in definitions.get("users", []):
    print(f"{user['name']}: password in {os.path.join(folder, user['name'])}")
PY
