"""Atomic `dbt build`: readers keep the old warehouse until the new one is complete.

    python -m olist_segmentation.build [extra dbt build args, e.g. --vars '{fail_on_rejects: true}']

1. Fails fast if the warehouse is held by a writer (a read-write DuckDB connection elsewhere),
   naming the process and its PID. Read-only readers (BI tools, notebooks) do not block the build.
2. Runs `dbt build` into `<name>.building.duckdb` beside the warehouse, passing extra arguments
   through: first the run that decides whether to retrain, then the nightly path or the retrain
   path (olist_segmentation.dbt_invocation). An ordinary night copies the warehouse there first
   (the snapshot keeps its history; the tables of the last retrain stay as they are). A build
   whose vars ask for a retrain (segment_retrain, segment_reselect, segment_import_model_file)
   rebuilds almost everything: it starts from a new file, and each dbt run brings over from the
   warehouse (attached read-only) only the tables it reads or appends to without rebuilding them
   — the registry, the monitoring rows, the snapshot, the previous contract, the search's rows —
   (macros/atomic_build/keep_previous_build.sql), so tables about to be rebuilt are never copied.
3. Only if dbt succeeds: writes the consumer marts as Parquet files into the export folder (each
   to a hidden temporary file in that folder), replaces the warehouse with the copy (`os.replace`,
   atomic on one file system) and moves each Parquet file into place (`os.replace` again), so a
   reader sees either the old or the new file, never a half-written one.
4. On failure the warehouse and the exports are left untouched, the copy is removed, and the exit
   code is non-zero with a one-line summary on stderr.

A reader that opened the old warehouse keeps reading the old, consistent data: `os.replace` swaps
the directory entry, the reader's open file still points at the old file. New connections see the
new warehouse. Progress lines go to stderr; dbt's own output goes to stdout.

Environment: OLIST_DUCKDB_PATH (default warehouse/olist.duckdb), OLIST_EXPORT_DIR (default
exports/), DBT_TARGET_PATH (where dbt writes run_results.json, default target/).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import duckdb
import yaml

from olist_segmentation.dbt_invocation import BuildError, progress, run_dbt_builds

# Marts that BI tools read, exported when they exist (some are built by later stages).
CONSUMER_MARTS = (
    "customer_rfm",
    "customer_orders",
    "customer_segments",
    "segment_profiles",
    "segment_profile_features",
    "maintenance_contract",
    "segment_transitions",
    "data_quality",
)
MARTS_SCHEMA = "marts"
# Thread counts of the native math libraries, fixed for the dbt child (see dbt_environment).
NATIVE_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")

_LOCK_HOLDER = re.compile(
    r"Conflicting lock is held in (?P<process>.+?) \(PID (?P<pid>\d+)\)"
    r"(?: by user (?P<user>[^.\s]+))?"
)


def warehouse_path() -> Path:
    return Path(os.environ.get("OLIST_DUCKDB_PATH", "warehouse/olist.duckdb")).resolve()


def export_dir() -> Path:
    return Path(os.environ.get("OLIST_EXPORT_DIR", "exports")).resolve()


def building_path(warehouse: Path) -> Path:
    """`warehouse/olist.duckdb` -> `warehouse/olist.building.duckdb` (same folder, same disk)."""
    return warehouse.with_name(f"{warehouse.stem}.building{warehouse.suffix or '.duckdb'}")


def wal_path(database: Path) -> Path:
    return database.with_name(database.name + ".wal")


def _process_command_line(pid: str) -> str | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    command = " ".join(raw.replace(b"\0", b" ").decode("utf-8", "replace").split())
    return command or None


def describe_lock_holder(error_text: str) -> str:
    """'python3.11 (PID 123, command `...`)' from DuckDB's lock error, else its first line."""
    match = _LOCK_HOLDER.search(error_text)
    if not match:
        return error_text.splitlines()[0] if error_text else "another process"
    details = [f"PID {match['pid']}"]
    if match["user"]:
        details.append(f"user {match['user']}")
    command = _process_command_line(match["pid"])
    if command:
        details.append(f"command `{command[:200]}`")
    return f"{match['process']} ({', '.join(details)})"


def check_no_writer(warehouse: Path) -> None:
    """Fail if a read-write connection holds the warehouse; read-only holders are fine.

    A read-only open takes a shared lock: it succeeds next to other readers and fails only when
    a writer holds the exclusive lock, which is exactly the case that must stop the build.
    """
    if not warehouse.exists():
        return
    try:
        duckdb.connect(str(warehouse), read_only=True).close()
    except duckdb.IOException as error:
        text = str(error)
        if "lock" not in text.lower():
            raise BuildError(
                f"cannot open the warehouse {warehouse}: {text.splitlines()[0]}"
            ) from error
        raise BuildError(
            f"the warehouse {warehouse} is locked by a writer: {describe_lock_holder(text)} "
            "holds a read-write DuckDB connection on it. Close that connection (or stop that "
            "process), or open the warehouse with read_only=True / `olist-sql` (read-only) for "
            "reading, then run the build again; read-only readers never block the build.",
            exit_code=2,
        ) from error


@contextlib.contextmanager
def build_lock(warehouse: Path) -> Iterator[None]:
    """One build at a time per warehouse (both would write the same .building file)."""
    lock_file = warehouse.with_name(f"{warehouse.stem}.build.lock")
    handle = open(lock_file, "a+")  # noqa: SIM115 - held for the whole build
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as error:
            handle.seek(0)
            holder = handle.read().strip() or "unknown PID"
            raise BuildError(
                f"another build of {warehouse} is running ({holder}, lock {lock_file}); wait for "
                "it to finish, or stop it, then run the build again",
                exit_code=2,
            ) from error
        handle.seek(0)
        handle.truncate()
        handle.write(f"PID {os.getpid()}\n")
        handle.flush()
        yield
    finally:
        handle.close()


def remove_database(database: Path) -> None:
    for path in (database, wal_path(database)):
        path.unlink(missing_ok=True)


def retrain_requested(dbt_args: Sequence[str]) -> bool:
    """Whether the caller's ``--vars`` ask for a retrain: forced, a reselect or an import."""
    for index, arg in enumerate(dbt_args):
        if arg == "--vars" and index + 1 < len(dbt_args):
            text = dbt_args[index + 1]
        elif arg.startswith("--vars="):
            text = arg.split("=", 1)[1]
        else:
            continue
        try:
            values = yaml.safe_load(text)
        except yaml.YAMLError:
            continue  # dbt itself says what is wrong with the vars
        if isinstance(values, dict) and (
            values.get("segment_retrain") is True
            or values.get("segment_reselect") is True
            or values.get("segment_import_model_file")
        ):
            return True
    return False


def prepare_building_file(warehouse: Path, building: Path, *, keep_tables: bool) -> None:
    """The file the build writes: a copy of the warehouse, or a new one (``keep_tables``).

    A night rebuilds only the nightly path and keeps everything else as the last retrain left
    it, most of the file: copying the file (sequential I/O) is cheaper than keeping those tables
    one by one. A retrain rebuilds almost everything: it starts from a new file, and its dbt
    runs keep from the warehouse only what persists (macros/atomic_build/keep_previous_build.sql).
    """
    remove_database(building)  # a file left by a killed build: we hold the build lock
    if not warehouse.exists():
        progress(f"no warehouse at {warehouse} yet: building a new one in {building.name}")
    elif keep_tables:
        progress(
            f"retrain asked: building a new {building.name}; the dbt runs keep from "
            f"{warehouse.name} only what persists (registry, monitoring, snapshot)"
        )
    else:
        progress(f"copying {warehouse} to {building.name} (snapshots keep their history)")
        shutil.copyfile(warehouse, building)
        if wal_path(warehouse).exists():  # changes of a crashed writer, not yet checkpointed
            shutil.copyfile(wal_path(warehouse), wal_path(building))


def dbt_environment(warehouse: Path, *, keep_tables: bool) -> dict[str, str]:
    """The environment of the build's dbt runs (run_dbt_builds points them at the building file)."""
    env = dict(os.environ)
    env.pop("OLIST_PREVIOUS_DUCKDB_PATH", None)
    # dbt's file log defaults to debug: every statement of ~250 nodes, a tenth of a night's
    # time at real size. At info it keeps what the console shows; DBT_LOG_LEVEL_FILE=debug
    # brings the statements back (the SQL of every node is in target/run either way).
    env.setdefault("DBT_LOG_LEVEL_FILE", "info")
    # dbt runs Python models on several threads of this one process, and OpenBLAS keeps one
    # thread count for the whole process: fixed before numpy loads, nothing changes it while
    # another model is inside a BLAS call (see segmentation.kmeans.cap_threads). The models
    # fit with one thread each anyway; dbt's threads are the parallelism.
    for variable in NATIVE_THREAD_VARIABLES:
        env.setdefault(variable, "1")
    if keep_tables and warehouse.exists():
        env["OLIST_PREVIOUS_DUCKDB_PATH"] = str(warehouse)
    if "DBT_PROFILES_DIR" not in env and Path("profiles.yml").exists():
        env["DBT_PROFILES_DIR"] = str(Path.cwd())
    return env


def write_exports(building: Path, exports: Path) -> list[tuple[Path, Path]]:
    """Each consumer mart to a hidden temporary Parquet file in `exports`; returns (tmp, final)."""
    exports.mkdir(parents=True, exist_ok=True)
    written: list[tuple[Path, Path]] = []
    with duckdb.connect(str(building)) as connection:
        existing = {
            row[0]
            for row in connection.sql(
                "select table_name from information_schema.tables where table_schema = ?",
                params=[MARTS_SCHEMA],
            ).fetchall()
        }
        for name in (mart for mart in CONSUMER_MARTS if mart in existing):
            final = exports / f"{name}.parquet"
            temporary = exports / f".{name}.parquet.{os.getpid()}.tmp"
            written.append((temporary, final))
            # ordered by every column: the same data always gives the same file
            connection.sql(
                f'copy (select * from {MARTS_SCHEMA}."{name}" order by all) '
                f"to '{temporary}' (format parquet, compression zstd)"
            )
            ((rows,),) = connection.sql(f'select count(*) from {MARTS_SCHEMA}."{name}"').fetchall()
            progress(f"exported {MARTS_SCHEMA}.{name} ({rows} rows)")
        connection.sql("checkpoint")
    return written


def publish(
    building: Path, warehouse: Path, exports: list[tuple[Path, Path]], export_folder: Path
) -> None:
    check_no_writer(warehouse)  # a writer may have opened it while dbt was running
    wal_path(building).unlink(missing_ok=True)  # checkpointed above: nothing left in it
    # A WAL beside the old warehouse belongs to the old file (its content was copied into the
    # build): left there, DuckDB would replay it onto the new file.
    wal_path(warehouse).unlink(missing_ok=True)
    os.replace(building, warehouse)
    for temporary, final in exports:
        os.replace(temporary, final)
    progress(f"published {warehouse} and {len(exports)} Parquet file(s) in {export_folder}")


def build(dbt_args: Sequence[str]) -> None:
    warehouse = warehouse_path()
    exports = export_dir()
    building = building_path(warehouse)
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    check_no_writer(warehouse)
    with build_lock(warehouse):
        written: list[tuple[Path, Path]] = []
        published = False
        try:
            keep_tables = retrain_requested(dbt_args)
            prepare_building_file(warehouse, building, keep_tables=keep_tables)
            env = dbt_environment(warehouse, keep_tables=keep_tables)
            run_dbt_builds(building, dbt_args, env=env)
            written = write_exports(building, exports)
            publish(building, warehouse, written, exports)
            published = True
        finally:
            if not published:
                remove_database(building)
                for temporary, _ in written:
                    temporary.unlink(missing_ok=True)


def table_checksums(
    database: Path, schema: str = MARTS_SCHEMA, ignore_columns: Sequence[str] = ()
) -> dict[str, tuple[int, str]]:
    """Row count and md5 of the rows as text, sorted, per table of `schema` (read-only).

    Equal checksums mean equal contents whatever the physical row order: used to check that two
    builds on the same data give the same marts, and that a failed build changed nothing.
    `ignore_columns` leaves out columns that measure the run rather than the data (durations).
    """
    with duckdb.connect(str(database), read_only=True) as connection:
        columns: dict[str, list[str]] = {}
        for table, column in connection.sql(
            "select table_name, column_name from information_schema.columns"
            " where table_schema = ? order by table_name, ordinal_position",
            params=[schema],
        ).fetchall():
            columns.setdefault(table, []).append(column)
        checksums = {}
        for table, names in columns.items():
            kept = ", ".join(f'"{name}"' for name in names if name not in ignore_columns)
            ((rows, digest),) = connection.sql(
                "select count(*),"
                " md5(coalesce(string_agg(t::varchar, chr(10) order by t::varchar), ''))"
                f' from (select {kept} from {schema}."{table}") as t'
            ).fetchall()
            checksums[table] = (rows, digest)
    return checksums


def run_build_process(
    *, data_dir: Path, warehouse: Path, dbt_args: Sequence[str] = ()
) -> subprocess.CompletedProcess[str]:
    """Run this module in a child process on ``data_dir`` into ``warehouse``, as a nightly job
    does; exports, target and logs go beside the warehouse."""
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(Path(__file__).resolve().parents[2]),
        "OLIST_DATA_DIR": str(data_dir),
        "OLIST_DUCKDB_PATH": str(warehouse),
        "OLIST_EXPORT_DIR": str(warehouse.parent / "exports"),
        "DBT_TARGET_PATH": str(warehouse.parent / "target"),
        "DBT_LOG_PATH": str(warehouse.parent / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    return subprocess.run(
        [sys.executable, "-m", "olist_segmentation.build", *dbt_args],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def main(argv: Sequence[str] | None = None) -> int:
    dbt_args = list(sys.argv[1:] if argv is None else argv)
    if dbt_args[:1] in (["-h"], ["--help"]):
        print(__doc__)
        return 0
    started = time.time()
    try:
        build(dbt_args)
    except BuildError as error:
        summary = " ".join(str(error).split()).rstrip(".")  # one line, whatever it held
        print(
            f"BUILD FAILED: {summary}. The warehouse {warehouse_path()} and the exports in "
            f"{export_dir()} were left unchanged.",
            file=sys.stderr,
            flush=True,
        )
        return error.exit_code
    except KeyboardInterrupt:
        print("BUILD INTERRUPTED: warehouse and exports left unchanged.", file=sys.stderr)
        return 130
    progress(f"done in {time.time() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
