"""The portable SQL layer: database locations, engines, and the `Database` facade.

SQLAlchemy Core 2 (no ORM) over pysqlite and psycopg 3; README "Two database engines" says why.
"""

from storage.sql.database import Database, ThreadDatabases
from storage.sql.engines import EngineOptions, build_engine
from storage.sql.location import DatabaseLocation, DatabaseLocationError, Dialect, parse_location

__all__ = [
    "Database",
    "DatabaseLocation",
    "DatabaseLocationError",
    "Dialect",
    "EngineOptions",
    "ThreadDatabases",
    "build_engine",
    "parse_location",
]
