#!/usr/bin/env python3
"""Bulk-read all members of a dialog with fast_bitrix24's get_all(), for the b24 benchmark.

Usage (after ./setup.sh):

    target/bench-venv/bin/python bench/fast_bitrix24/get_all.py WEBHOOK_URL DIALOG_ID [flags]

Calls the library's documented synchronous entry point exactly as a user would:

    Bitrix(webhook).get_all("im.dialog.users.list", {"DIALOG_ID": dialog_id})

with the library's defaults (request_pool_size=50, requests_per_second=2, batch_size=50,
respect_velocity_policy=True, ssl=True). The only default changed is verbose (the tqdm progress
bar on stderr), off unless --progress; it affects nothing but the display.

Prints ONE line of JSON to stdout:

    {"items": N, "unique_ids": U, "wall_seconds": S, "ids_sha256": "...", ...}

items       -- length of the list get_all() returned (after the library's own dedup)
unique_ids  -- distinct "id" values in it
wall_seconds-- time spent inside get_all() (session setup and teardown included, imports not)
cpu_seconds -- CPU time this Python process used inside get_all() (client-side cost)
ids_sha256  -- sha256 of the sorted unique ids (as decimal integers) joined by ","
http        -- client-side counts of HTTP attempts made by the library, by REST method
               ("im.dialog.users.list", "batch") and outcome ("ok" or the error, e.g. "503");
               counted by wrapping the library's ServerRequestHandler.request_attempt on the
               instance (pass-through, behaviour unchanged); rows_received is the number of
               rows the server sent before the library's dedup. fast_bitrix24 itself reports
               no request counts.
warnings    -- warnings the library emitted (e.g. its "results != total" RuntimeWarning)

Errors go to stderr, exit status 1.
"""

import argparse
import collections
import hashlib
import json
import sys
import time
import warnings


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("webhook", help="webhook base URL, e.g. http://127.0.0.1:PORT/rest/1/CODE/")
    p.add_argument("dialog_id", help="DIALOG_ID, e.g. chat1")
    p.add_argument("--method", default="im.dialog.users.list", help="REST method (default: %(default)s)")
    p.add_argument("--request-pool-size", type=int, default=None,
                   help="Bitrix(request_pool_size=) -- library default 50")
    p.add_argument("--requests-per-second", type=float, default=None,
                   help="Bitrix(requests_per_second=) -- library default 2.0")
    p.add_argument("--batch-size", type=int, default=None,
                   help="Bitrix(batch_size=) -- library default 50")
    p.add_argument("--no-velocity-policy", action="store_true",
                   help="Bitrix(respect_velocity_policy=False) -- library default True")
    p.add_argument("--progress", action="store_true",
                   help="Bitrix(verbose=True): show the library's tqdm progress bar on stderr")
    p.add_argument("--trace", action="store_true",
                   help="print one line per HTTP attempt (start, end, method, outcome, rows) to stderr")
    p.add_argument("--no-count", action="store_true",
                   help="do not wrap request_attempt to count HTTP attempts")
    return p.parse_args(argv)


def rows_in(response):
    """Rows of the listing carried by one response (single call or batch)."""
    result = response.get("result") if isinstance(response, dict) else None
    if isinstance(result, list):
        return len(result)
    if isinstance(result, dict) and isinstance(result.get("result"), dict):
        return sum(len(v) for v in result["result"].values() if isinstance(v, list))
    return 0


def install_counter(bitrix, counts, rows, trace=None):
    """Count every HTTP attempt the library makes, by method and outcome, and the rows the
    server sent back, without changing what the library does."""
    srh = bitrix.srh
    inner = srh.request_attempt

    async def counted(method, params=None):
        t0 = time.perf_counter()
        try:
            result = await inner(method, params)
        except BaseException as err:  # re-raised unchanged; the library decides about retries
            cause = err.__cause__ if err.__cause__ is not None else err
            status = getattr(cause, "status", None)
            outcome = str(status) if status is not None else type(cause).__name__
            counts[method][outcome] += 1
            if trace is not None:
                trace(t0, method, outcome, 0)
            raise
        counts[method]["ok"] += 1
        n = rows_in(result)
        rows[0] += n
        if trace is not None:
            trace(t0, method, "ok", n)
        return result

    srh.request_attempt = counted


def main(argv):
    args = parse_args(argv)

    from fast_bitrix24 import Bitrix
    from fast_bitrix24.__version__ import __version__ as fb_version

    kwargs = {"verbose": args.progress}
    if args.request_pool_size is not None:
        kwargs["request_pool_size"] = args.request_pool_size
    if args.requests_per_second is not None:
        kwargs["requests_per_second"] = args.requests_per_second
    if args.batch_size is not None:
        kwargs["batch_size"] = args.batch_size
    if args.no_velocity_policy:
        kwargs["respect_velocity_policy"] = False

    bitrix = Bitrix(args.webhook, **kwargs)
    counts = collections.defaultdict(collections.Counter)
    rows = [0]
    origin = time.perf_counter()

    def trace(t0, method, outcome, n):
        now = time.perf_counter()
        print(f"trace: {t0 - origin:8.3f} {now - origin:8.3f} {method} {outcome} rows={n}", file=sys.stderr)

    if not args.no_count:
        install_counter(bitrix, counts, rows, trace if args.trace else None)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t0, c0 = time.perf_counter(), time.process_time()
        items = bitrix.get_all(args.method, {"DIALOG_ID": args.dialog_id})
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0

    for w in caught:
        print(f"warning: {w.category.__name__}: {w.message}", file=sys.stderr)

    if not isinstance(items, list):
        raise RuntimeError(f"get_all() returned {type(items).__name__}, expected a list: {str(items)[:300]}")
    ids = []
    for item in items:
        if not isinstance(item, dict) or "id" not in item:
            raise RuntimeError(f"get_all() returned an item without an id: {str(item)[:300]}")
        ids.append(int(item["id"]))
    unique = sorted(set(ids))

    out = {
        "items": len(items),
        "unique_ids": len(unique),
        "wall_seconds": round(wall, 6),
        "cpu_seconds": round(cpu, 6),
        "ids_sha256": hashlib.sha256(",".join(map(str, unique)).encode()).hexdigest(),
        "library": f"fast_bitrix24 {fb_version}",
        "params": {k: v for k, v in kwargs.items() if k != "verbose"},
    }
    if not args.no_count:
        out["http"] = {
            "attempts": sum(sum(c.values()) for c in counts.values()),
            "failed": sum(n for c in counts.values() for k, n in c.items() if k != "ok"),
            "by_method": {m: dict(c) for m, c in counts.items()},
            "rows_received": rows[0],
        }
    out["warnings"] = [f"{w.category.__name__}: {w.message}" for w in caught]
    print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as err:  # one line of diagnosis on stderr, non-zero exit
        cause = f" (caused by {type(err.__cause__).__name__}: {err.__cause__})" if err.__cause__ else ""
        print(f"get_all.py: {type(err).__name__}: {err}{cause}", file=sys.stderr)
        sys.exit(1)
