"""Benchmark: verification of custody chains.

Prints the time to verify chains of custody with the addon's service, and the
ratio against a baseline in the same process: hashing the same canonical
bytes with hashlib alone (the floor any verifier has to pay). No Odoo needed.

    python3 bench/bench_custody_chain.py [--devices 2000] [--events 12]
"""

import argparse
import hashlib
import importlib.util
import pathlib
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
SERVICE = ROOT / "addons/reemploi_asset/services/custody_chain.py"


def load_service():
    spec = importlib.util.spec_from_file_location("custody_chain", SERVICE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build(chain, devices, events):
    chains = []
    for device in range(devices):
        previous, rows = chain.GENESIS, []
        for sequence in range(1, events + 1):
            row = {
                "equipment_id": device + 1,
                "sequence": sequence,
                "date": "2026-03-01 10:00:00",
                "event_type": "state",
                "from_state": "collected",
                "to_state": "received",
                "user_id": 7,
                "company_id": 2,
                "note": "Réception à l'atelier",
            }
            row["previous_hash"] = previous
            row["hash"] = previous = chain.event_hash(row, previous)
            rows.append(row)
        chains.append(rows)
    return chains


def best_of(runs, func):
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        timings.append(time.perf_counter() - start)
    return min(timings)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--devices", type=int, default=2000)
    parser.add_argument("--events", type=int, default=12)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    chain = load_service()
    chains = build(chain, args.devices, args.events)
    blobs = [chain.canonical(row) for rows in chains for row in rows]
    total = len(blobs)

    def baseline():
        for blob in blobs:
            hashlib.sha256(blob).hexdigest()

    def verify():
        for rows in chains:
            assert chain.first_broken_link(rows) is None

    base = best_of(args.runs, baseline)
    ours = best_of(args.runs, verify)
    print(f"events: {total} ({args.devices} devices x {args.events})")
    print(f"baseline sha256 only: {base * 1000:.1f} ms ({total / base:,.0f} events/s)")
    print(f"verify chains:        {ours * 1000:.1f} ms ({total / ours:,.0f} events/s)")
    print(f"ratio verify / baseline: {ours / base:.2f}")


if __name__ == "__main__":
    main()
