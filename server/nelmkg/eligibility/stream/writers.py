"""Outputs of ``nelmkg assess``, written piece by piece in input order.

Each writer takes the pieces the workers return (:class:`~nelmkg.eligibility.stream.work.Done`
``.output``): texts of tables or JSON assessments, NDJSON text, CSV bytes, Arrow tables for
Parquet. A JSON array is opened before its first item and closed at the end, as
``json.dumps(..., indent=2)`` would print it whole. A reader that goes away (``| head``) is not
an error.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any

from nelmkg.eligibility.stream.work import Settings


class _Writer:
    def __init__(self, stream, settings: Settings) -> None:
        self.stream, self.settings, self.items = stream, settings, 0

    def write(self, piece: Any) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """Finish the output (close an array, a Parquet footer)."""


class _Table(_Writer):
    def write(self, piece: list[str]) -> None:
        for text in piece:
            self.stream.write(("\n" if self.items else "") + text)
            self.items += 1


class _Json(_Writer):
    def write(self, piece: list[str]) -> None:
        shape = self.settings.shape
        for text in piece:
            if shape == "array":
                self.stream.write(("[\n" if not self.items else ",\n") + text)
            else:
                self.stream.write(text + "\n")
            self.items += 1

    def close(self) -> None:
        if self.settings.shape == "array":
            self.stream.write("\n]\n" if self.items else "[]\n")


class _Text(_Writer):
    def write(self, piece: str | bytes) -> None:
        self.stream.write(piece)


class _Parquet(_Writer):
    def __init__(self, stream, settings: Settings) -> None:
        super().__init__(stream, settings)
        self.parquet = None

    def write(self, piece) -> None:
        import pyarrow.parquet as pq

        if self.parquet is None:
            self.parquet = pq.ParquetWriter(self.stream, piece.schema)
        self.parquet.write_table(piece)

    def close(self) -> None:
        if self.parquet is None:
            from nelmkg.eligibility.columnar.engine import result_schema

            batch = self.settings.batch
            self.write(result_schema(batch.options, self.settings.reasons).empty_table())
        self.parquet.close()


@contextlib.contextmanager
def open_writer(fmt: str, settings: Settings, path: str | None) -> Iterator[_Writer]:
    """Open the writer of ``fmt`` on ``path`` (stdout if None); close it at the end."""
    binary = fmt in ("csv", "parquet")
    if path is not None:
        stream = open(path, "wb") if binary else open(path, "w", encoding="utf-8")  # noqa: SIM115
    else:
        stream = sys.stdout.buffer if binary else sys.stdout
    kind = {"table": _Table, "json": _Json, "parquet": _Parquet}.get(fmt, _Text)
    writer = kind(stream, settings)
    try:
        if fmt == "csv":
            from nelmkg.eligibility.columnar.engine import result_schema
            from nelmkg.eligibility.stream.rows import csv_header

            stream.write(csv_header(result_schema(settings.batch.options, settings.reasons)))
        yield writer
        writer.close()
        stream.flush()
    except BrokenPipeError:  # the reader went away (`| head`): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    finally:
        if path is not None:
            stream.close()
