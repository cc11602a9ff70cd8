#!/usr/bin/env bash
# make demo: a sample case from open to close through the real daemon, on this machine only.
# Starts a private RabbitMQ node and a mail catcher (aiosmtpd) on loopback, runs mimamorid with
# the sample settings (FAX through the email-to-fax gateway form, radio into a spool folder with
# Open JTalk audio; MIMAMORI_DEMO_TTS=espeak-ng for espeak-ng's instead), publishes opened /
# updated / closed with `mimamori publish`, waits for each to be delivered, prints the delivery
# report, the TTS used and the audio's length, and where to look; then a concern report of
# みまさかほっとネット from reported to resolved on a second daemon (美作市); stops what it started.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
demo=$root/.run/demo
case_id=KN-2026-0042

echo "== building"
swift build 2>&1 | grep -E 'error|warning: |Compiling|Build complete' | grep -v -- '-pthread' | tail -3
bin=$(swift build --show-bin-path)

# The radio's TTS: Open JTalk (Japanese speech) through the wrapper the install puts in place.
case ${MIMAMORI_DEMO_TTS:-open-jtalk} in
    open-jtalk)
        tts_name="Open JTalk $(dpkg-query -W -f='${Version}' open-jtalk 2>/dev/null), voice mei_normal (MMDAgent, CC BY 3.0), via deploy/open-jtalk-tts"
        tts_command="[$root/deploy/open-jtalk-tts, \"{text}\", \"{wav}\"]" ;;
    espeak-ng)
        tts_name="espeak-ng $(dpkg-query -W -f='${Version}' espeak-ng 2>/dev/null) -v ja"
        tts_command='[espeak-ng, -v, ja, -w, "{wav}", -f, "{text}"]' ;;
    *) echo "demo: MIMAMORI_DEMO_TTS is open-jtalk or espeak-ng" >&2; exit 2 ;;
esac

rm -rf "$demo"
mkdir -p "$demo"/{keys,publishers,credentials,mail,radio,fax,templates}

pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    scripts/rabbitmq-node.sh stop || true
}
trap cleanup EXIT

echo "== starting RabbitMQ (private node) and the mail catcher"
scripts/rabbitmq-node.sh start
eval "$(scripts/rabbitmq-node.sh env)"
python3 Tests/Servers/smtp_server.py --dir "$demo/mail" >"$demo/smtp.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -s "$demo/mail/port" ] && break; sleep 0.1; done
smtp_port=$(cat "$demo/mail/port")

echo "== police side: a signing key (mimamori keygen)"
"$bin/mimamori" keygen police-kainan --out "$demo/keys"
cp "$demo/keys/police-kainan.pub" "$demo/publishers/"
printf 'mimamori-test\n' > "$demo/credentials/broker-password"
# The registry's key (the registry-key credential): 32 random bytes, base64.
head -c 32 /dev/urandom | base64 > "$demo/credentials/registry-key"
# The confirmation codes' key (the confirm-key credential), as the Debian package writes it.
"$bin/mimamori" keygen --confirm-key "$demo/credentials/confirm-key" >/dev/null

cat > "$demo/mimamori.yaml" <<YAML
# Demo settings: the sample config/mimamori.yaml pointed at this machine's loopback servers.
municipality: kimino
town: { name: 紀美野町, reading: きみのちょう, department: 保健福祉課, phone: 073-489-9960,
        network: 紀美野にこにこネットワーク, regulation: 紀美野にこにこネットワーク事業実施要綱 }
areas: { 紀美野町: [野上, 美里], aliases: { 野上町: 野上, 美里町: 美里 }, readings: { 野上: のかみ, 美里: みさと } }
broker: { url: "amqp://mimamori@127.0.0.1:56720/mimamori", prefetch: 64, heartbeat: 30s }
ledger: { path: $demo/ledger.sqlite }
cooperators: $root/config/cooperators.csv
templates: $demo/templates
publishers: { require-signature: true, keys: $demo/publishers }
email: { smtp: "smtp://127.0.0.1:$smtp_port", from: "紀美野町 保健福祉課 <sos@town.example.jp>", sessions: 8 }
fax: { method: email-gateway, gateway: "{number}@fax.example.jp" }
radio: { spool: $demo/radio, tts-command: $tts_command,
         quiet-hours: { from: "21:00", to: "07:00", policy: broadcast } }
retry: { initial: 1s, max: 30s, deadline: 6h }
reminders: { destruction-at: "09:00", business-days-only: true }
retention: 30d
operator: { alarm-email: "ops@town.example.jp" }
metrics: { listen: "127.0.0.1:19464" }
registry: { keys: $demo/registry-keys.sqlite }
confirm: { public-url: "http://127.0.0.1:19466", listen: "127.0.0.1:19466", reply-fax: 073-489-5999 }
YAML

echo "== mimamori check-config"
"$bin/mimamori" check-config --config "$demo/mimamori.yaml"

echo "== the family registered the person in advance (様式第1号: mimamori registry add)"
"$bin/mimamori" registry add config/samples/registration.yaml --config "$demo/mimamori.yaml" \
    --registry-key "$demo/credentials/registry-key" | sed 's/^/   /'

echo "== starting mimamorid"
"$bin/mimamorid" --config "$demo/mimamori.yaml" --credentials "$demo/credentials" >"$demo/mimamorid.log" 2>&1 &
daemon=$!
pids+=($daemon)
for _ in $(seq 100); do grep -q 'event=intake.consuming' "$demo/mimamorid.log" && break; sleep 0.1; done
grep -q 'event=intake.consuming' "$demo/mimamorid.log" || { cat "$demo/mimamorid.log"; echo "demo: mimamorid did not start" >&2; exit 1; }
grep 'event=daemon.started' "$demo/mimamorid.log"

# Waits until no delivery of these kinds is planned or in flight.
wait_for() {
    local kinds=$1 report
    for _ in $(seq 300); do
        report=$("$bin/mimamori" report "$case_id" --config "$demo/mimamori.yaml" 2>/dev/null | tail -1 || true)
        if [ -n "$report" ] && ! grep -Eq "($kinds)/(planned|sending)" <<<"$report"; then return 0; fi
        sleep 0.2
    done
    echo "demo: deliveries of $kinds did not finish: $report" >&2
    return 1
}

publish() {
    "$bin/mimamori" publish "config/samples/$1.json" --issued-now --key "$demo/keys/police-kainan.key" \
        --broker "amqp://mimamori@127.0.0.1:56720/mimamori" --password-file "$demo/credentials/broker-password"
}

echo "== 0. staff check who the alert would reach (mimamori plan; nothing is sent)"
"$bin/mimamori" plan config/samples/case-opened.json --config "$demo/mimamori.yaml" \
    --registry-key "$demo/credentials/registry-key" > "$demo/plan.txt"
head -5 "$demo/plan.txt"; echo "   …"; grep -E '^(登録|送信しない|防災|写真|まとめ|注意|警告)' "$demo/plan.txt"

echo "== 1. the family asks for search support: case opened"
publish case-opened
wait_for 'alert'
grep -E 'event=(case.opened|registry.merged)' "$demo/mimamorid.log"
echo "== 1b. a volunteer presses 受け取りました on the link; an institution phones the staff (mimamori confirm)"
code_of() { sqlite3 -readonly "$demo/ledger.sqlite" "SELECT confirmation FROM deliveries WHERE case_id = '$case_id' AND recipient_id = '$1' AND kind = 'alert'"; }
curl -sS -o /dev/null -w '   POST /c/…/received → %{http_code}\n' -X POST --data '' "http://127.0.0.1:19466/c/$(code_of vol-001)/received"
"$bin/mimamori" confirm "$(code_of fax-001)" --received --by demo --config "$demo/mimamori.yaml" | sed 's/^/   /'
grep -E 'event=confirm.recorded' "$demo/mimamorid.log"
echo "== 2. new sighting information: case updated"
publish case-updated
wait_for 'alert|update'
echo "== 3. the police report the person found: case closed"
publish case-closed
wait_for 'alert|update|termination'

echo
echo "== what the ledger says (mimamori status)"
"$bin/mimamori" status "$case_id" --config "$demo/mimamori.yaml"
echo
echo "== delivery report (mimamori report $case_id), first lines and totals"
"$bin/mimamori" report "$case_id" --config "$demo/mimamori.yaml" > "$demo/report.tsv"
head -6 "$demo/report.tsv" | column -t -s $'\t'
echo "  …"
tail -1 "$demo/report.tsv"

echo
echo "== what each outlet received"
python3 - "$demo" <<'PY'
import json, os, sys, glob, email, email.policy, collections
demo = sys.argv[1]
mails = sorted(glob.glob(os.path.join(demo, "mail", "*.eml")))
kinds = collections.Counter(); fax = 0
for path in mails:
    msg = email.message_from_bytes(open(path, "rb").read(), policy=email.policy.default)
    to = str(msg["To"])
    subject = str(msg["Subject"])
    if to.endswith("@fax.example.jp"):
        fax += 1
        for part in msg.iter_attachments():
            if part.get_content_type() == "application/pdf":
                name = os.path.basename(path).replace(".eml", ".pdf")
                open(os.path.join(demo, "fax", name), "wb").write(part.get_payload(decode=True))
    else:
        kinds[subject.split("】", 1)[-1].split("（")[0]] += 1
print(f"email volunteers: {len(mails) - fax} messages in {demo}/mail")
for subject, n in kinds.most_common():
    print(f"   {n:3d} × {subject}")
print(f"FAX gateway: {fax} messages to {{number}}@fax.example.jp, PDFs in {demo}/fax")
# The registration's frequented places, as a volunteer reads them (config/samples/registration.yaml).
for path in mails:
    msg = email.message_from_bytes(open(path, "rb").read(), policy=email.policy.default)
    if str(msg["To"]).endswith("@fax.example.jp") or "発見にご協力ください" not in str(msg["Subject"]):
        continue
    rows = [line for line in msg.get_body(("plain",)).get_content().splitlines() if "よく行く場所" in line]
    print("   from the registration, in the alert: " + (rows[0].strip() if rows else "NO よく行く場所 ROW"))
    break
PY
first_pdf=$(ls "$demo"/fax/*.pdf 2>/dev/null | head -1 || true)
if [ -n "$first_pdf" ]; then
    pdftoppm -r 80 -png -f 1 -l 1 "$first_pdf" "$demo/fax/preview"
    echo "   preview of the first FAX page: $(ls "$demo"/fax/preview*.png | head -1)"
fi
echo "radio spool ($demo/radio):"
ls -1 "$demo/radio" | sed 's/^/   /'
echo "   TTS: $tts_name"
for wav in "$demo"/radio/*.wav; do
    [ -e "$wav" ] && echo "   $(basename "$wav"): $(soxi -d "$wav" 2>/dev/null) of audio ($(soxi -D "$wav" 2>/dev/null) s)"
done
alert_script=$(ls "$demo"/radio/*.alert.*.txt 2>/dev/null | head -1 || true)
[ -n "$alert_script" ] && echo "   the alert as read: $(head -1 "$alert_script")"
if [ -n "$alert_script" ] && grep -Eq 'かじか荘|野上支所' "$alert_script"; then
    echo "demo: the radio script names a frequented place" >&2; exit 1
fi
[ -n "$alert_script" ] && echo "   (the frequented places are in the email and the FAX only, never read on the radio)"
echo
echo "== destruction reminders (Article 11-3) wait for the next business morning:"
awk -F'\t' '$3 == "destruction-reminder" && $5 == "planned" { n++ } END { printf "   planned: %d (one per recipient of personal data)\n", n }' "$demo/report.tsv"
echo
echo "== the daemon's log: $demo/mimamorid.log ($(wc -l < "$demo/mimamorid.log") logfmt lines), e.g."
grep -E 'event=(case\.|daemon\.started)' "$demo/mimamorid.log" | head -4 | sed 's/^/   /'

echo
echo "== stopping mimamorid (SIGTERM)"
kill -TERM "$daemon"
wait "$daemon" && echo "mimamorid exited 0"

# みまさかほっとネット: a shop's concern about someone, entered by the city's staff after the
# phone call, routed by the hour and the area to the desk (config/samples/mimasaka.yaml), and the
# desk's result sent back to the shop. A second daemon, for 美作市, on the same broker.
echo
echo "== みまさかほっとネット: a concern report from reported to resolved (美作市, a daemon of its own)"
concern=$demo/mimasaka
report_id=MS-C-2026-0007
mkdir -p "$concern"/{keys,publishers,credentials,mail,fax}
python3 Tests/Servers/smtp_server.py --dir "$concern/mail" >"$concern/smtp.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -s "$concern/mail/port" ] && break; sleep 0.1; done
concern_smtp=$(cat "$concern/mail/port")
"$bin/mimamori" keygen city-mimasaka --out "$concern/keys" >/dev/null
cp "$concern/keys/city-mimasaka.pub" "$concern/publishers/"
cp "$demo/credentials/broker-password" "$concern/credentials/"
# The sample settings as they are, pointed at this machine's loopback servers.
sed -e "s|url: \"amqp://mimamori-mimasaka@127.0.0.1:5672/mimamori\"|url: \"amqp://mimamori@127.0.0.1:56720/mimamori\"|" \
    -e "s|path: /var/lib/mimamori/ledger.sqlite|path: $concern/ledger.sqlite|" \
    -e "s|cooperators: /etc/mimamori/cooperators.csv|cooperators: $root/config/samples/mimasaka-cooperators.csv|" \
    -e "s|keys: /etc/mimamori/publishers|keys: $concern/publishers|" \
    -e "s|smtp: \"smtp://127.0.0.1:25\"|smtp: \"smtp://127.0.0.1:$concern_smtp\"|" \
    config/samples/mimasaka.yaml > "$concern/mimamori.yaml"
printf 'metrics: { listen: "127.0.0.1:19465" }\n' >> "$concern/mimamori.yaml"
"$bin/mimamori" check-config --config "$concern/mimamori.yaml" | tail -1
"$bin/mimamorid" --config "$concern/mimamori.yaml" --credentials "$concern/credentials" >"$concern/mimamorid.log" 2>&1 &
concern_daemon=$!
pids+=($concern_daemon)
for _ in $(seq 100); do grep -q "event=intake.consuming.*mimamori.mimasaka.concerns" "$concern/mimamorid.log" && break; sleep 0.1; done
grep -q "event=intake.consuming.*mimamori.mimasaka.concerns" "$concern/mimamorid.log" \
    || { cat "$concern/mimamorid.log"; echo "demo: the 美作市 daemon did not start" >&2; exit 1; }
concern_cli() { "$bin/mimamori" "$@" --config "$concern/mimamori.yaml"; }
wait_for_report() {
    local kinds=$1 report
    for _ in $(seq 300); do
        report=$(concern_cli report "$report_id" 2>/dev/null | grep '^total' || true)
        if [ -n "$report" ] && grep -Eq "($kinds)/" <<<"$report" && ! grep -Eq "($kinds)/(planned|sending)" <<<"$report"; then return 0; fi
        sleep 0.2
    done
    echo "demo: deliveries of $kinds did not finish: $report" >&2
    return 1
}
echo "-- staff check where the report would go now (mimamori route)"
concern_cli route config/samples/concern-reported.json | sed 's/^/   /'
echo "-- 1. staff enter the shop's call (mimamori concern report)"
concern_cli concern report config/samples/concern-reported.json --key "$concern/keys/city-mimasaka.key" \
    --password-file "$concern/credentials/broker-password" | sed 's/^/   /'
wait_for_report concern-report
grep 'event=concern.reported' "$concern/mimamorid.log" | sed 's/^/   /'
echo "-- 2. the desk visited; staff record the result (mimamori concern resolve)"
concern_cli concern resolve "$report_id" --result-file config/samples/concern-result.txt \
    --key "$concern/keys/city-mimasaka.key" --password-file "$concern/credentials/broker-password" | sed 's/^/   /'
wait_for_report 'concern-report|concern-result'
grep 'event=concern.resolved' "$concern/mimamorid.log" | sed 's/^/   /'
echo "-- what was sent (mail in $concern/mail, FAX PDFs in $concern/fax)"
python3 - "$concern" <<'PY'
import os, sys, glob, email, email.policy
demo = sys.argv[1]
for path in sorted(glob.glob(os.path.join(demo, "mail", "*.eml"))):
    msg = email.message_from_bytes(open(path, "rb").read(), policy=email.policy.default)
    to = str(msg["To"])
    for part in msg.iter_attachments():
        if part.get_content_type() == "application/pdf":
            open(os.path.join(demo, "fax", os.path.basename(path).replace(".eml", ".pdf")), "wb").write(part.get_payload(decode=True))
    print(f"   {to:45s} {msg['Subject']}")
PY
first_fax=$(ls "$concern"/fax/*.pdf 2>/dev/null | head -1 || true)
if [ -n "$first_fax" ]; then
    echo "-- the desk's FAX page (pdftotext, first lines)"
    pdftotext -layout "$first_fax" - | sed '/^\s*$/d' | head -14 | sed 's/^/   /'
fi
concern_cli report "$report_id" > "$concern/report.tsv"
echo "-- mimamori report $report_id"
head -1 "$concern/report.tsv" | sed 's/^/   /'
sed -n '2,$p' "$concern/report.tsv" | grep -Ev '^(total|結果)' | column -t -s $'\t' | sed 's/^/   /'
grep -E '^(total|結果)' "$concern/report.tsv" | sed 's/^/   /'
kill -TERM "$concern_daemon"
wait "$concern_daemon" && echo "美作市's mimamorid exited 0"
