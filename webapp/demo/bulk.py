"""Rows written in bulk, not through the ORM: ``COPY`` on PostgreSQL, ``executemany`` on
SQLite, each value through its column's own bind processing (for the scale data set)."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Table, func, select, text


class BulkWriter:
    """Append rows to tables in bulk on one connection: COPY on PostgreSQL, executemany else.

    Row values are Python values as the ORM would take them; each column's bind processor
    (``EncryptedText`` seals, ``UTCDateTime`` normalises, ``StrEnum`` takes the value) turns
    them into what is stored. Missing columns get the column's Python default or NULL.
    """

    def __init__(self, connection: Connection):
        self.connection = connection
        self.dialect = connection.dialect
        self.written: dict[str, int] = {}

    def next_id(self, table: Table) -> int:
        return int(self.connection.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0) + 1

    def write(self, table: Table, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        columns = list(table.columns)
        fill: list[Any] = []
        for column in columns:
            default = column.default
            if default is not None and getattr(default, "is_scalar", False):
                fill.append(lambda value=default.arg: value)  # type: ignore[attr-defined]
            elif default is not None and getattr(default, "is_callable", False):
                fill.append(lambda fn=default.arg: fn(None))  # type: ignore[attr-defined]
            else:
                fill.append(None)
        processors = [column.type.bind_processor(self.dialect) for column in columns]
        names = [column.name for column in columns]
        values = []
        for row in rows:
            out = []
            for name, make, process in zip(names, fill, processors):
                value = row[name] if name in row else (make() if make else None)
                out.append(process(value) if process is not None and value is not None
                           else value)
            values.append(tuple(out))
        quoted = ", ".join(f'"{n}"' for n in names)
        if self.dialect.name == "postgresql":
            raw = self.connection.connection.driver_connection
            with raw.cursor() as cursor, cursor.copy(  # type: ignore[union-attr]
                    f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
                for value in values:
                    copy.write_row(value)
        else:
            marks = ", ".join("?" for _ in names)
            self.connection.exec_driver_sql(
                f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})', values)  # noqa: S608 (names from the model)
        self.written[table.name] = self.written.get(table.name, 0) + len(rows)

    def reset_sequences(self, tables: Iterable[Table]) -> None:
        if self.dialect.name != "postgresql":
            return
        for table in tables:
            name = table.name  # a model's table, not input
            sql = f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), (SELECT max(id) FROM {name}))"  # noqa: S608
            self.connection.execute(text(sql))


def table_of(model: Any) -> Table:
    return model.__table__
