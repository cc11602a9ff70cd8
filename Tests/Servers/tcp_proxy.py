#!/usr/bin/env python3
"""A TCP proxy on loopback for the daemon end-to-end tests: every connection is forwarded to
--to HOST:PORT, byte for byte.

While DIR/hold exists, what clients send is read and dropped (the server never sees it) and the
count of dropped bytes is kept in DIR/dropped; what the server sends still reaches the client.
A test uses it to let the daemon receive a broker message, commit it, and "ack" it into the void:
the kill -9 that follows lands between the ledger commit and the broker's receipt of the ack.
When either side closes, both are closed. The chosen port is written to DIR/port when ready.
"""
import argparse, asyncio, os
from serverlib import exit_on_signals, write_atomic


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--to", required=True, help="HOST:PORT")
    args = ap.parse_args()
    exit_on_signals()
    host, port = args.to.rsplit(":", 1)
    hold = os.path.join(args.dir, "hold")
    dropped = [0]

    async def pump(reader, writer, upstream):
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                if upstream and os.path.exists(hold):
                    dropped[0] += len(data)
                    write_atomic(os.path.join(args.dir, "dropped"), str(dropped[0]).encode())
                    continue
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def handle(client_reader, client_writer):
        try:
            server_reader, server_writer = await asyncio.open_connection(host, int(port))
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(
            pump(client_reader, server_writer, True),
            pump(server_reader, client_writer, False))

    async def run():
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        write_atomic(os.path.join(args.dir, "port"), str(server.sockets[0].getsockname()[1]).encode())
        async with server:
            await server.serve_forever()

    try:
        asyncio.run(run())
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
