"""Load generator for the REST channel, run as its own process (`python -m bench.load`).

Conversations are `--turns` consecutive benchmark questions sent by one new sender; at
concurrency c, c conversations run at once and a new one starts when one ends, until
`--seconds` have passed or `--max-conversations` were started (a turn in flight finishes).
Loopback only. Writes one JSON document (latencies in ms) to --out.

  single:   one user, conversations one after another, --single messages: p50/p95/p99
  levels:   per concurrency: messages, seconds, msgs_per_s, p50/p95/p99, errors
  long:     one conversation of --long turns: per-turn latency, and turn50_over_turn1 =
            mean latency of turns 45-55 / mean latency of turns 1-5
"""
from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
import time
from pathlib import Path
from typing import Dict, Iterator, List, Optional
from urllib.parse import urlparse

import aiohttp
import numpy as np


def percentiles(ms: List[float]) -> Dict[str, Optional[float]]:
    if not ms:
        return {"p50": None, "p95": None, "p99": None, "mean": None}
    p = np.percentile(ms, [50, 95, 99])
    return {"p50": round(p[0], 1), "p95": round(p[1], 1), "p99": round(p[2], 1), "mean": round(float(np.mean(ms)), 1)}


class Client:
    def __init__(self, url: str, questions: List[str], turns: int, tag: str) -> None:
        self.url = url.rstrip("/") + "/webhooks/rest/webhook"
        self.questions = itertools.cycle(questions)
        self.turns = turns
        self.tag = tag
        self.senders = itertools.count()
        self.errors = 0

    def conversation(self) -> Iterator[str]:
        return (next(self.questions) for _ in range(self.turns))

    def new_sender(self) -> str:
        return f"bench-{self.tag}-{next(self.senders)}"

    async def say(self, session: aiohttp.ClientSession, sender: str, text: str) -> Optional[float]:
        start = time.perf_counter()
        try:
            async with session.post(self.url, json={"sender": sender, "message": text}) as response:
                await response.read()
                if response.status != 200:
                    raise aiohttp.ClientError(f"HTTP {response.status}")
        except (aiohttp.ClientError, asyncio.TimeoutError):
            self.errors += 1
            return None
        return (time.perf_counter() - start) * 1000


async def run_level(client: Client, session, concurrency: int, seconds: float, max_conversations: int) -> Dict:
    latencies: List[float] = []
    started = itertools.count()
    begin = time.perf_counter()
    deadline = begin + seconds
    errors_before = client.errors

    async def worker() -> None:
        while time.perf_counter() < deadline and next(started) < max_conversations:
            sender = client.new_sender()
            for text in client.conversation():
                if time.perf_counter() >= deadline:
                    return
                ms = await client.say(session, sender, text)
                if ms is not None:
                    latencies.append(ms)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - begin
    return {"concurrency": concurrency, "messages": len(latencies), "seconds": round(elapsed, 2),
            "msgs_per_s": round(len(latencies) / elapsed, 2), "errors": client.errors - errors_before,
            **percentiles(latencies)}


async def main_async(args) -> Dict:
    questions = json.loads(Path(args.questions).read_text(encoding="utf-8"))
    client = Client(args.url, questions, args.turns, args.tag)
    result: Dict = {"url": args.url, "turns_per_conversation": args.turns}
    log = lambda text: print(f"  [load {args.tag}] {text}", file=sys.stderr, flush=True)  # noqa: E731
    timeout = aiohttp.ClientTimeout(total=args.timeout)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0)) as session:
        warm = client.new_sender()
        for text in questions[:5]:  # first requests load lazily-built parts: not measured
            await client.say(session, warm, text)
        if args.single:
            latencies: List[float] = []
            begin = time.perf_counter()
            while len(latencies) < args.single and time.perf_counter() - begin < args.seconds * 3:
                sender = client.new_sender()
                for text in client.conversation():
                    ms = await client.say(session, sender, text)
                    if ms is not None:
                        latencies.append(ms)
            result["single"] = {"messages": len(latencies), **percentiles(latencies)}
            log(f"one user: {len(latencies)} messages, p50 {result['single']['p50']} ms, p95 {result['single']['p95']} ms")
        result["levels"] = {}
        for level in args.levels:
            stats = await run_level(client, session, level, args.seconds, args.max_conversations)
            result["levels"][f"c{level}"] = stats
            log(f"{level:>2} concurrent: {stats['messages']} messages in {stats['seconds']} s = "
                f"{stats['msgs_per_s']} msg/s, p95 {stats['p95']} ms, errors {stats['errors']}")
        if args.long:
            sender = client.new_sender()
            per_turn = []
            for turn, text in enumerate(itertools.islice(itertools.cycle(questions), args.long), 1):
                ms = await client.say(session, sender, text)
                per_turn.append(round(ms, 1) if ms is not None else None)
            first = [x for x in per_turn[0:5] if x is not None]
            late = [x for x in per_turn[44:55] if x is not None]
            ratio = round(float(np.mean(late) / np.mean(first)), 3) if first and late else None
            result["long"] = {"turns": len(per_turn), "latency_ms": per_turn, "turn50_over_turn1": ratio,
                              "definition": "mean latency of turns 45-55 / mean latency of turns 1-5"}
            log(f"long conversation: {len(per_turn)} turns, turn50/turn1 = {ratio}")
    result["errors"] = client.errors
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="Rasa server, http://127.0.0.1:<port>")
    parser.add_argument("--questions", required=True, help="JSON list of message texts")
    parser.add_argument("--out", required=True)
    parser.add_argument("--tag", default="load")
    parser.add_argument("--turns", type=int, default=6)
    parser.add_argument("--single", type=int, default=150, help="messages for the one-user latency (0: skip)")
    parser.add_argument("--levels", type=lambda s: [int(x) for x in s.split(",") if x], default=[1, 8, 32])
    parser.add_argument("--seconds", type=float, default=20.0, help="time per concurrency level")
    parser.add_argument("--max-conversations", type=int, default=400, help="per concurrency level")
    parser.add_argument("--long", type=int, default=55, help="turns of the long conversation (0: skip)")
    parser.add_argument("--timeout", type=float, default=30.0)
    args = parser.parse_args()
    if urlparse(args.url).hostname not in ("127.0.0.1", "localhost"):
        parser.error("loopback only: --url must be http://127.0.0.1:<port>")
    result = asyncio.run(main_async(args))
    Path(args.out).write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
