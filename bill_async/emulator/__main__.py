"""``python -m bill_async.emulator``: the same as ``bill-async emulator``."""

from __future__ import annotations

import argparse
import sys

from ._server import add_cli_arguments, run_cli


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bill_async.emulator", description="Serve a local BILL v2 emulator."
    )
    add_cli_arguments(parser)
    return run_cli(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
