"""argparse ``type=`` functions for the command line's options: a bad value is refused by argparse itself
(exit status 2, ``argument --examples: must be an integer >= 1, got -3``) before any work is done."""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable
from pathlib import Path


def int_at_least(low: int) -> Callable[[str], int]:
    """An integer >= ``low`` (``--examples 0`` would verify nothing and still report success)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer >= {low}, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be an integer >= {low}, got {value}")
        return value

    return parse


positive_int = int_at_least(1)
seed_int = int_at_least(0)  # numpy.random.default_rng refuses negative seeds


def port(text: str) -> int:
    """A TCP port, 0 (any free port) to 65535."""
    value = int_at_least(0)(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"must be a port number from 0 to 65535, got {value}")
    return value


def positive_float(text: str) -> float:
    """A finite number > 0 (sizes, budgets: argparse's ``float`` alone takes -1, 0, nan and inf)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number > 0, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text!r}")
    return value


def output_file(text: str) -> str:
    """A file we can write: its directory exists and is writable, and it is not itself a directory.
    Checked up front, so that a long run is not lost to a typo in the path at the end."""
    path = Path(text)
    if not text:
        raise argparse.ArgumentTypeError("must be a file path, got an empty string")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a directory, not a file")
    parent = path.parent
    if not parent.is_dir():
        raise argparse.ArgumentTypeError(f"cannot write {text}: directory {parent} does not exist")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise argparse.ArgumentTypeError(f"cannot write {text}: permission denied")
    return text


def output_file_or_stdout(text: str) -> str:
    """``-`` (standard output) or an :func:`output_file`."""
    return text if text == "-" else output_file(text)


def file_to_compare(text: str) -> str:
    """A file that may not exist yet (it then differs from anything), but is not a directory."""
    if Path(text).is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a directory, not a file")
    return text


def input_file(text: str) -> str:
    """An existing, readable file."""
    path = Path(text)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"no such file: {text}")
    if not os.access(path, os.R_OK):
        raise argparse.ArgumentTypeError(f"cannot read {text}: permission denied")
    return text


def existing_dir(text: str) -> Path:
    """An existing directory."""
    path = Path(text)
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"no such directory: {text}")
    return path
