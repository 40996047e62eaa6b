"""The ERP side of bench/webhooks.py: the receiver (a process of its own), asking it what
arrived, and the report that checks the receipts against what was committed.

Not a module of the project: bench/webhooks.py imports it from its own folder."""

import asyncio
import hashlib
import hmac
import json
import statistics
import time
from collections import defaultdict


def receiver(port: int, secret: str) -> None:
    """The ERP, lean enough not to be the bottleneck ("when the ERP answers fast"): an asyncio
    HTTP/1.1 keep-alive server that parses only what it needs, verifies each X-Mall-Signature
    (HMAC-SHA256 over "t.body", constant-time compare), notes (event id, SKU, sequence, arrival
    time) and answers 200 (400 to a bad signature). GET /count: distinct ids so far; GET /stats:
    every receipt and the number of bad signatures."""
    receipts: list = []
    seen: set = set()
    bad = [0]
    key = secret.encode()
    ok = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}"
    refused = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"

    def signed(header: str, body: bytes) -> bool:
        timestamp, signatures = None, []
        for item in header.split(","):
            name, _, value = item.strip().partition("=")
            if name == "t":
                timestamp = value
            elif name == "v1":
                signatures.append(value)
        if timestamp is None or abs(time.time() - int(timestamp)) > 300:
            return False
        expected = hmac.new(key, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        return any(hmac.compare_digest(expected, s) for s in signatures)

    class ERP(asyncio.Protocol):
        def connection_made(self, transport):
            self.transport = transport
            self.buffer = b""

        def data_received(self, data):
            self.buffer += data
            while True:
                end = self.buffer.find(b"\r\n\r\n")
                if end < 0:
                    return
                head = self.buffer[:end].decode("latin-1").split("\r\n")
                headers = {}
                for line in head[1:]:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length") or 0)
                if len(self.buffer) < end + 4 + length:
                    return
                body, self.buffer = self.buffer[end + 4 : end + 4 + length], self.buffer[end + 4 + length :]
                method, path = head[0].split(" ")[:2]
                self.transport.write(self.answer(method, path, headers, body))

        def answer(self, method, path, headers, body) -> bytes:
            if method == "POST":
                arrived = time.time()
                if not signed(headers.get("x-mall-signature", ""), body):
                    bad[0] += 1
                    return refused
                event = json.loads(body)
                receipts.append((event["id"], event["data"]["sku"], event["data"]["sequence"], arrived))
                seen.add(event["id"])
                return ok
            payload = json.dumps({"receipts": receipts, "bad_signatures": bad[0]} if path == "/stats" else len(seen)).encode()
            return b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(payload), payload)

    async def serve():
        server = await asyncio.get_running_loop().create_server(ERP, "127.0.0.1", port, backlog=256)
        async with server:
            await server.serve_forever()

    asyncio.run(serve())


def wait_for(port: int, expected: int, timeout: float = 300.0):
    """Until the receiver has `expected` distinct ids (or `timeout`): its receipts and the number of bad signatures."""
    import requests

    deadline = time.time() + timeout
    while requests.get(f"http://127.0.0.1:{port}/count", timeout=30).json() < expected and time.time() < deadline:
        time.sleep(0.2)
    stats = requests.get(f"http://127.0.0.1:{port}/stats", timeout=30).json()
    return stats["receipts"], stats["bad_signatures"]


def report(committed, sequences, receipts, bad_signatures, Delivery) -> None:
    first_seen: dict[str, float] = {}
    per_sku = defaultdict(list)
    for event_id, sku, seq, arrived in receipts:
        first_seen.setdefault(event_id, arrived)
        per_sku[sku].append(seq)
    missing = set(committed) - set(first_seen)
    out_of_order = [sku for sku, seqs in per_sku.items() if seqs != sorted(seqs)]
    latencies = sorted((first_seen[i] - committed[i]) * 1000 for i in committed if i in first_seen)
    span = max(first_seen.values()) - min(committed.values()) if first_seen else 0.0
    rate = len(first_seen) / span if span > 0 else 0.0
    p50 = statistics.median(latencies) if latencies else 0.0
    p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else 0.0
    print(f"events committed: {len(committed)}; received: {len(receipts)} POSTs, {len(first_seen)} distinct ids; "
          f"missing: {len(missing)}; bad signatures: {bad_signatures}")
    print(f"aggregates out of order: {len(out_of_order)}; deliveries not delivered: {Delivery.objects.exclude(state='delivered').count()}")
    print(f"commit -> receipt: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {latencies[-1] if latencies else 0:.1f} ms; "
          f"first commit -> last receipt {span:.2f} s")
    print(f"events_per_s={rate:.0f} p50_ms={p50:.0f} p95_ms={p95:.0f}")
