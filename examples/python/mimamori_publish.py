#!/usr/bin/python3
"""Reference publisher of Mimamori events: signs a case event (or a concern report) file and publishes it.

What a police-side system has to do, in the fewest lines (docs/integration.md explains each step):

1. Take the event as bytes. Those exact bytes are signed and sent; nothing re-encodes them.
2. Sign them with Ed25519; the private key is the base64 of the 32-byte seed, as
   `mimamori keygen NAME` writes it in NAME.key (lines starting with # are comments).
3. Publish to the exchange `mimamori.cases` with the routing key `case.<municipality>.<kind>`
   (a `mimamori.concern/1` report: `mimamori.concerns`, `concern.<municipality>.<kind>`), persistent, mandatory, with publisher confirms; headers `x-mimamori-key-id` (the key's name)
   and `x-mimamori-signature` (base64 of the 64-byte signature); `message_id` the event's
   messageId, `user_id` the broker login (RabbitMQ refuses any other), content type
   application/json.

Debian 12: apt-get install python3-pika python3-cryptography (python3-jsonschema for --schema).

    mimamori_publish.py EVENT.json --key police-kainan.key \\
        --broker amqps://police-kainan@mimamori.town.example.jp:5671/mimamori \\
        --password-file police-kainan.password --ca-file town-ca.pem [--schema mimamori.case-1.schema.json]
    mimamori_publish.py --check-only --schema mimamori.case-1.schema.json EVENT.json...
    mimamori_publish.py REPORT.json --key city-mimasaka.key --broker amqps://concerns-mimasaka@… \\
        --schema mimamori.concern-1.schema.json          (a concern report, by a city's web form)

Exit status: 0 published and confirmed (or, with --check-only, every file valid); 1 the broker
refused the message (unroutable: no queue for that municipality, or nacked), or a file is not a
valid event; 2 a wrong argument or an unreadable file; 3 the broker could not be reached or
refused the login.
"""

import argparse
import base64
import json
import os
import ssl
import sys
import urllib.parse

# The exchange and the routing key's first word, by the event's schema.
EXCHANGES = {"mimamori.case/1": ("mimamori.cases", "case"), "mimamori.concern/1": ("mimamori.concerns", "concern")}
KEY_ID_HEADER = "x-mimamori-key-id"
SIGNATURE_HEADER = "x-mimamori-signature"


class UsageError(Exception):
    pass


def read_private_key(path):
    """The Ed25519 private key of a `mimamori keygen` NAME.key file, and its key id (NAME)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    with open(path, encoding="utf-8") as f:
        lines = [line.strip() for line in f if line.strip() and not line.strip().startswith("#")]
    try:
        seed = base64.b64decode(lines[0], validate=True)
        key = Ed25519PrivateKey.from_private_bytes(seed)
    except Exception:
        raise UsageError(f"{path}: not an Ed25519 private key as `mimamori keygen` writes it (one line, base64 of 32 bytes)")
    name = os.path.basename(path)
    return key, name[:-4] if name.endswith(".key") else name


def signature_headers(body, key_path):
    """`x-mimamori-key-id` and `x-mimamori-signature` for these exact bytes."""
    key, key_id = read_private_key(key_path)
    return {KEY_ID_HEADER: key_id, SIGNATURE_HEADER: base64.b64encode(key.sign(body)).decode("ascii")}


def routing(body):
    """(exchange, routing key, messageId) of an event, read without changing its bytes."""
    try:
        event = json.loads(body.decode("utf-8-sig"))
        exchange, word = EXCHANGES.get(event.get("schema"), EXCHANGES["mimamori.case/1"])
        return exchange, f"{word}.{event['municipality']}.{event['kind']}", event.get("messageId")
    except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        raise UsageError("not a case event: a JSON object with municipality and kind is needed")


def schema_problems(body, schema_path):
    """What the schema finds wrong with the event (empty: valid): field paths and rules, never a
    value (the event holds personal data)."""
    import jsonschema

    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    try:
        event = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        return [f"not JSON in UTF-8 ({type(error).__name__})"]

    def leaves(error):
        # An optional field is "null or …": report what is wrong with the "…", not that it is no null.
        branches = [e for e in error.context or [] if not (e.validator == "type" and e.validator_value == "null")]
        if branches:
            for branch in branches:
                yield from leaves(branch)
        else:
            yield error

    problems = {}
    for error in jsonschema.Draft202012Validator(schema).iter_errors(event):
        for leaf in leaves(error):
            where = ".".join(str(p) for p in leaf.absolute_path) or "(the event)"
            if leaf.validator == "required":
                rule = leaf.message
            elif leaf.validator in ("pattern", "not"):
                rule = "not of the allowed form"
            else:
                rule = f"{leaf.validator} {json.dumps(leaf.validator_value, ensure_ascii=False)[:60]}"
            problems[f"{where}: {rule}"] = None
    listed = sorted(problems)
    # A list of 100,000 wrong items says the same thing 100,000 times.
    return listed[:10] + ([f"… and {len(listed) - 10} more"] if len(listed) > 10 else [])


def connection_parameters(url, password=None, ca_file=None, cert_file=None, key_file=None):
    """pika's parameters for `amqp[s]://user[:password]@host[:port]/vhost`."""
    import pika

    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("amqp", "amqps") or not parts.hostname or not parts.username:
        raise UsageError(f"broker URL must look like amqps://user@host:5671/vhost, not {url!r}")
    user = urllib.parse.unquote(parts.username)
    if parts.password is not None:
        password = urllib.parse.unquote(parts.password)
    if password is None:
        raise UsageError("no broker password: give --password-file or set MIMAMORI_BROKER_PASSWORD")
    tls = parts.scheme == "amqps"
    ssl_options = None
    if tls:
        context = ssl.create_default_context(cafile=ca_file)
        if cert_file:
            context.load_cert_chain(cert_file, key_file)
        ssl_options = pika.SSLOptions(context, parts.hostname)
    vhost = urllib.parse.unquote(parts.path[1:]) if len(parts.path) > 1 else "/"
    parameters = pika.ConnectionParameters(
        host=parts.hostname, port=parts.port or (5671 if tls else 5672), virtual_host=vhost,
        credentials=pika.PlainCredentials(user, password), ssl_options=ssl_options,
        heartbeat=30, blocked_connection_timeout=30, connection_attempts=1)
    return parameters, user


def publish(parameters, user, body, headers, exchange, routing_key, message_id):
    """Publishes and waits for the broker's confirm. Raises pika's UnroutableError / NackError."""
    import pika

    connection = pika.BlockingConnection(parameters)
    try:
        channel = connection.channel()
        channel.confirm_delivery()
        publish_on(channel, user, body, headers, exchange, routing_key, message_id)
    finally:
        connection.close()


def publish_on(channel, user, body, headers, exchange, routing_key, message_id):
    """One event on an open channel (with confirms on: returns once the broker confirmed), for a
    publisher that keeps its connection: persistent, mandatory, user_id checked by the broker."""
    import pika

    channel.basic_publish(
        exchange=exchange, routing_key=routing_key, body=body, mandatory=True,
        properties=pika.BasicProperties(
            content_type="application/json", delivery_mode=2, message_id=message_id,
            user_id=user, headers=headers))


def main(argv):
    parser = argparse.ArgumentParser(
        description="Sign a Mimamori case event (or concern report) and publish it to mimamori.cases (mimamori.concerns).")
    parser.add_argument("events", nargs="+", metavar="EVENT.json", help="the event file, published byte for byte")
    parser.add_argument("--key", help="Ed25519 private key from `mimamori keygen NAME` (NAME.key; NAME is the key id)")
    parser.add_argument("--broker", help="amqps://user@host:5671/vhost (a password in the URL is taken too)")
    parser.add_argument("--password-file", help="file holding the broker password (default: $MIMAMORI_BROKER_PASSWORD)")
    parser.add_argument("--ca-file", help="CA certificate(s) that signed the broker's TLS certificate")
    parser.add_argument("--cert", help="client certificate for the broker (PEM), with --client-key")
    parser.add_argument("--client-key", help="the client certificate's private key (PEM)")
    parser.add_argument("--schema", help="validate against this JSON Schema first (python3-jsonschema); an invalid event is not sent")
    parser.add_argument("--check-only", action="store_true", help="only validate the files against --schema, publish nothing")
    args = parser.parse_args(argv)

    try:
        if args.check_only:
            if not args.schema:
                raise UsageError("--check-only needs --schema")
            invalid = 0
            for path in args.events:
                with open(path, "rb") as f:
                    problems = schema_problems(f.read(), args.schema)
                invalid += bool(problems)
                print(f"{path}: " + ("valid" if not problems else "invalid: " + "; ".join(problems)))
            return 1 if invalid else 0

        if len(args.events) != 1 or not args.key or not args.broker:
            raise UsageError("publishing takes one EVENT.json, --key and --broker")
        with open(args.events[0], "rb") as f:
            body = f.read()
        exchange, routing_key, message_id = routing(body)
        if args.schema:
            problems = schema_problems(body, args.schema)
            if problems:
                print(f"{args.events[0]}: not sent, invalid: " + "; ".join(problems), file=sys.stderr)
                return 1
        headers = signature_headers(body, args.key)
        password = os.environ.get("MIMAMORI_BROKER_PASSWORD")
        if args.password_file:
            with open(args.password_file, encoding="utf-8") as f:
                password = f.read().strip()
        parameters, user = connection_parameters(args.broker, password, args.ca_file, args.cert, args.client_key)
    except (UsageError, OSError) as error:
        print(f"mimamori_publish: {error}", file=sys.stderr)
        return 2

    import pika.exceptions

    try:
        publish(parameters, user, body, headers, exchange, routing_key, message_id)
    except (pika.exceptions.UnroutableError, pika.exceptions.NackError) as error:
        print(f"mimamori_publish: the broker did not take the event (no queue bound to {routing_key}?): {error!r}", file=sys.stderr)
        return 1
    except pika.exceptions.AMQPError as error:
        print(f"mimamori_publish: broker: {error!r}", file=sys.stderr)
        return 3
    except OSError as error:
        print(f"mimamori_publish: cannot reach the broker: {error}", file=sys.stderr)
        return 3
    print(f"published {args.events[0]} as {routing_key}, signed by {headers[KEY_ID_HEADER]}, confirmed by the broker")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
