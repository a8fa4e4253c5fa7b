"""``python -m tools.bench_wan.forward LISTEN PORT...``: TCP forwarders.

PostgreSQL, RabbitMQ and Redis listen on 127.0.0.1 only; the sites reach
them at this machine's control address. For each ``PORT`` this listens on
``LISTEN:PORT`` and relays every connection to ``127.0.0.1:PORT``, over
the unshaped control links only. Runs until killed.
"""

from __future__ import annotations

import asyncio
import sys

__all__ = ['main']

TARGET = '127.0.0.1'
CHUNK = 64 * 1024


async def _pipe(reader: asyncio.StreamReader,
                writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(CHUNK):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


def _handler(port: int):  # type: ignore[no-untyped-def]
    async def handle(reader: asyncio.StreamReader,
                     writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(TARGET, port)
        except OSError:
            writer.close()
            return
        await asyncio.gather(_pipe(reader, up_writer),
                             _pipe(up_reader, writer))
    return handle


async def _serve(listen: str, ports: list[int]) -> None:
    servers = [await asyncio.start_server(_handler(port), listen, port)
               for port in ports]
    print('forwarding %s' % ', '.join('%s:%d' % (listen, p) for p in ports),
          flush=True)
    await asyncio.gather(*(s.serve_forever() for s in servers))


def main(argv: list[str]) -> int:
    """:param argv: the listen address, then ports."""
    if len(argv) < 2:
        print('usage: python -m tools.bench_wan.forward LISTEN PORT...',
              file=sys.stderr)
        return 2
    asyncio.run(_serve(argv[0], [int(p) for p in argv[1:]]))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
