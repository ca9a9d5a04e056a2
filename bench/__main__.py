"""`python -m bench [name ...]`: run the benchmarks (all by default)."""

import sys

from bench.common import setup_django

BENCHMARKS = [
    "catalog",
    "dossiers",
    "search",
    "portal",
    "printing",
    "notifications",
    "payments",
    "photos",
    "zalo",
    "evaluation",
    "statistics",
    "webhooks",
    "national",
    "api",
    "metrics",
]
# Not listed, run only when named: load (`make bench BENCH=load`, bench/load), a minute of mixed
# load that wants a quiet machine.


def main(names: list[str]) -> int:
    setup_django()
    import importlib

    results = [importlib.import_module(f"bench.{name}").run() for name in names or BENCHMARKS]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
