#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd) on loopback for the Outlets tests.

Every accepted message is kept as NNNNNN.eml (raw bytes as received) and NNNNNN.json (the
envelope, and the message decoded by Python's `email` package: subject, addresses, text body,
attachments, parsing defects), both written atomically before the 250 reply.

Recipients steer the answer to RCPT:
  reject550-…@…      → 550 5.1.1 (permanent)
  defer451-N-…@…     → 451 4.3.0 the first N times that address is tried, then accepted
  data554-…@…        → accepted at RCPT, then 554 5.7.1 at the end of DATA (the message refused)

--refuse-mail CODE --refuse-window S answers CODE (e.g. 530 5.7.0 authentication required) to
every MAIL FROM for S seconds from the first MAIL FROM, then accepts again (a relay that starts
requiring AUTH, a rotated password): DIR/refused counts the refusals.

--rate-limit N [--rate-code 421|451] accepts at most N MAIL FROM in any second (a sliding window
over the accepted ones) and answers the rest `421 4.7.0 Too many messages` (or `451 4.7.1 rate
limited`): a relay that caps messages per second. DIR/throttled counts those answers.

DIR/refuse (read at each RCPT, written by the test at any time) lists addresses, one a line:
  ADDRESS            → 550 5.1.1 at RCPT
  data ADDRESS       → 550 5.7.1 after DATA; the refused message is kept as NNNNNN.refused (JSON:
                       its envelope and decoded headers), beside the accepted ones
Remove the file (or a line) and those addresses are accepted again.

Options: --tls CERT KEY enables STARTTLS (or, with --implicit-tls, TLS from the first byte); --require-tls refuses mail before STARTTLS;
--auth USER:PASS requires AUTH (LOGIN/PLAIN, only over TLS when --tls is given);
--discard keeps nothing (benchmarks); --port P listens on P (a restart after a kill keeps the
port, and numbering goes on after the files already in DIR). DIR/delay, when present, holds
seconds to wait before each reply to DATA. DIR/connections counts the connections accepted.
The chosen port is written to DIR/port when ready.
"""
import argparse, asyncio, email, email.utils, email.header, email.policy, hashlib, json, os, signal, ssl, sys, collections
from aiosmtpd.smtp import SMTP, AuthResult
from serverlib import exit_on_signals, write_atomic

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    ap.add_argument("--require-tls", action="store_true")
    ap.add_argument("--implicit-tls", action="store_true", help="TLS from the first byte (smtps)")
    ap.add_argument("--auth")
    ap.add_argument("--discard", action="store_true")
    ap.add_argument("--idle-timeout", type=float, default=300.0, help="close idle sessions after S")
    ap.add_argument("--port", type=int, default=0, help="listen on this port (a restart on the same port)")
    ap.add_argument("--refuse-mail", type=int, help="answer this code to MAIL FROM during the window")
    ap.add_argument("--refuse-window", type=float, default=15.0, help="seconds from the first MAIL FROM")
    ap.add_argument("--rate-limit", type=int, help="accept at most N MAIL FROM in any second")
    ap.add_argument("--rate-code", type=int, default=421, choices=(421, 451))
    args = ap.parse_args()
    exit_on_signals()
    os.makedirs(args.dir, exist_ok=True)
    # A restart in the same folder goes on numbering after what the last run stored.
    counter = [len([f for f in os.listdir(args.dir) if f.endswith(".json")])]
    attempts = collections.Counter()

    def display_name(msg, name):
        # policy.default keeps the space between adjacent encoded words inside a phrase
        # (a CPython bug; RFC 2047 6.2 says it is ignored), so phrases are decoded with the
        # compat32 decode_header, which follows the RFC.
        value = msg.get(name)
        if value is None:
            return None
        decoded = str(email.header.make_header(email.header.decode_header(value)))
        return email.utils.parseaddr(decoded)[0]

    def decode(raw):
        compat = email.message_from_bytes(raw)
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        body = msg.get_body(preferencelist=("plain",))
        attachments = []
        for part in msg.iter_attachments():
            payload = part.get_payload(decode=True) or b""
            attachments.append({
                "filename": part.get_filename(),
                "content_type": part.get_content_type(),
                "size": len(payload),
                "sha256": hashlib.sha256(payload).hexdigest(),
                "head": payload[:8].decode("latin-1"),
            })
        defects = [type(d).__name__ for d in msg.defects]
        for part in msg.walk():
            defects += [type(d).__name__ for d in part.defects]
        long_lines = [len(l) for l in raw.split(b"\r\n") if len(l) > 78]
        return {
            "subject": str(msg["subject"]),
            "from": str(msg["from"]),
            "to": str(msg["to"]),
            "to_display_name": display_name(compat, "to"),
            "from_display_name": display_name(compat, "from"),
            "message_id": str(msg["message-id"]),
            "date": str(msg["date"]),
            "mime_version": str(msg["mime-version"]),
            "content_type": msg.get_content_type(),
            "body": body.get_content() if body is not None else None,
            "body_charset": body.get_content_charset() if body is not None else None,
            "body_cte": body["content-transfer-encoding"] if body is not None else None,
            "attachments": attachments,
            "defects": defects,
            "long_lines": long_lines,
            "bare_lf": b"\n" in raw.replace(b"\r\n", b""),
        }

    refusing = {"since": None, "count": 0}
    accepted_at = collections.deque()
    throttled = [0]
    def refusals():
        rcpt, data = set(), set()
        try:
            with open(os.path.join(args.dir, "refuse")) as f:
                for line in f:
                    words = line.split()
                    if len(words) == 1:
                        rcpt.add(words[0].lower())
                    elif len(words) == 2 and words[0] == "data":
                        data.add(words[1].lower())
        except OSError:
            pass
        return rcpt, data

    class Handler:
        async def handle_MAIL(self, server, session, envelope, address, mail_options):
            if args.refuse_mail:
                now = asyncio.get_running_loop().time()
                if refusing["since"] is None:
                    refusing["since"] = now
                if now - refusing["since"] < args.refuse_window:
                    refusing["count"] += 1
                    write_atomic(os.path.join(args.dir, "refused"), str(refusing["count"]).encode())
                    texts = {530: "5.7.0 Authentication required", 535: "5.7.8 Authentication credentials invalid",
                             554: "5.7.1 Sender rejected"}
                    return "%d %s" % (args.refuse_mail, texts.get(args.refuse_mail, "refused"))
            if args.rate_limit:
                now = asyncio.get_running_loop().time()
                while accepted_at and now - accepted_at[0] >= 1.0:
                    accepted_at.popleft()
                if len(accepted_at) >= args.rate_limit:
                    throttled[0] += 1
                    write_atomic(os.path.join(args.dir, "throttled"), str(throttled[0]).encode())
                    return "421 4.7.0 Too many messages" if args.rate_code == 421 else "451 4.7.1 rate limited"
                accepted_at.append(now)
            envelope.mail_from = address
            envelope.mail_options.extend(mail_options)
            return "250 OK"

        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            local = address.split("@")[0]
            if address.lower() in refusals()[0]:
                return "550 5.1.1 mailbox unavailable"
            if local.startswith("reject550-"):
                return "550 5.1.1 mailbox unavailable"
            if local.startswith("defer451-"):
                times = int(local.split("-")[1])
                attempts[address] += 1
                if attempts[address] <= times:
                    return "451 4.3.0 try again later"
            envelope.rcpt_tos.append(address)
            return "250 OK"

        async def handle_DATA(self, server, session, envelope):
            # DIR/delay (seconds, written by the test at any time) slows every reply: a long
            # fan-out without thousands of recipients.
            try:
                with open(os.path.join(args.dir, "delay")) as f:
                    await asyncio.sleep(float(f.read()))
            except (OSError, ValueError):
                pass
            if args.discard:
                return "250 OK discarded"
            if envelope.rcpt_tos and all(r.split("@")[0].startswith("data554-") for r in envelope.rcpt_tos):
                return "554 5.7.1 message content rejected"

            raw = envelope.original_content
            refused = refusals()[1]
            if any(r.lower() in refused for r in envelope.rcpt_tos):
                counter[0] += 1
                info = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                        "tls": session.ssl is not None, "authenticated": bool(session.authenticated)}
                try:
                    info["decoded"] = decode(raw)
                except Exception as e:
                    info["decode_error"] = repr(e)
                write_atomic(os.path.join(args.dir, "%06d.refused" % counter[0]), json.dumps(info, ensure_ascii=False).encode())
                return "550 5.7.1 message refused"
            counter[0] += 1
            base = os.path.join(args.dir, "%06d" % counter[0])
            info = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                    "tls": session.ssl is not None
                           or server.transport.get_extra_info("ssl_object") is not None,
                    "authenticated": bool(session.authenticated)}
            try:
                info["decoded"] = decode(raw)
            except Exception as e:  # the test reports it
                info["decode_error"] = repr(e)
            write_atomic(base + ".eml", raw)
            write_atomic(base + ".json", json.dumps(info, ensure_ascii=False).encode())
            return "250 OK queued as %06d" % counter[0]

    tls_context = None
    if args.tls:
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(args.tls[0], args.tls[1])

    authenticator = None
    if args.auth:
        user, password = args.auth.split(":", 1)
        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login.decode() == user and auth_data.password.decode() == password
            return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535

    connections = [0]

    def factory():
        # Counted so tests can prove that sessions are reused (DIR/connections).
        connections[0] += 1
        write_atomic(os.path.join(args.dir, "connections"), str(connections[0]).encode())
        starttls = tls_context if not args.implicit_tls else None
        return SMTP(Handler(), hostname="mimamori-test", decode_data=False,
                    tls_context=starttls, require_starttls=args.require_tls,
                    authenticator=authenticator, auth_required=bool(args.auth),
                    auth_require_tls=starttls is not None, data_size_limit=50_000_000,
                    timeout=args.idle_timeout)

    async def run():
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            factory, "127.0.0.1", args.port, ssl=tls_context if args.implicit_tls else None)
        port = server.sockets[0].getsockname()[1]
        write_atomic(os.path.join(args.dir, "port"), str(port).encode())
        async with server:
            await server.serve_forever()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass

if __name__ == "__main__":
    main()
