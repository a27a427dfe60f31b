"""The README's examples work as written, against a built demo warehouse.

Every `make sql Q=…` and `olist-sql …` line of the README's shell blocks, every ```sql block and
every ```python block runs in a folder laid out like the repository after `make build`
(`warehouse/olist.duckdb`, `exports/*.parquet`), with the shared session build (demo_build) as
warehouse: each must succeed and return rows. Every `make TARGET` of a shell block must be a
target of the Makefile. `/tmp/` in a command is moved into the test's own folder.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from dbt_harness import REPO_ROOT, DbtResult

from olist_segmentation.build import CONSUMER_MARTS

README = REPO_ROOT / "README.md"
FENCE = re.compile(r"^```(\w*)\s*$")
SHELL_LANGUAGES = {"bash", "sh", "shell", "console"}


def readme_blocks() -> list[tuple[str, str]]:
    """(language, text) of every fenced block of the README."""
    blocks, language, lines = [], None, []
    for line in README.read_text().splitlines():
        fence = FENCE.match(line)
        if fence and language is None:
            language, lines = fence[1], []
        elif line.startswith("```") and language is not None:
            blocks.append((language, "\n".join(lines)))
            language = None
        elif language is not None:
            lines.append(line)
    return blocks


def shell_lines() -> list[str]:
    """Commands of the shell blocks, backslash continuations joined."""
    commands = []
    for language, text in readme_blocks():
        if language in SHELL_LANGUAGES:
            commands += text.replace("\\\n", " ").splitlines()
    return [command.strip() for command in commands if command.strip()]


def sql_recipes() -> list[tuple[str, list[str], str | None]]:
    """(README line, olist-sql arguments, redirect target) of each query example."""
    recipes = []
    for line in shell_lines():
        tokens = shlex.split(line, comments=True)
        redirect = None
        if ">" in tokens:
            redirect = tokens[tokens.index(">") + 1]
            tokens = tokens[: tokens.index(">")]
        if tokens[:2] == ["make", "sql"]:
            settings = dict(token.split("=", 1) for token in tokens[2:])
            if "Q" not in settings:
                continue  # the interactive prompt
            arguments = [*shlex.split(settings.get("SQL_ARGS", "")), settings["Q"]]
        elif tokens and Path(tokens[0]).name == "olist-sql":
            arguments = tokens[1:]
        else:
            continue
        recipes.append((line, arguments, redirect))
    for language, text in readme_blocks():
        if language == "sql":
            recipes.append((text, [text], None))
    return recipes


RECIPES = sql_recipes()


def test_the_readme_has_query_examples() -> None:
    assert len(RECIPES) >= 6, RECIPES  # 4 + the Spark model copy + the analysts' sql block
    assert not [line for line in shell_lines() if re.search(r"\bduckdb -", line)], (
        "the DuckDB CLI is not installed by the set-up: use olist-sql / make sql"
    )


@pytest.fixture(scope="module")
def analyst_dir(demo_build: DbtResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder laid out like the repository after `make build`, on the shared demo build."""
    assert demo_build.returncode == 0, demo_build.output[-3000:]
    root = tmp_path_factory.mktemp("analyst")
    (root / "warehouse").mkdir()
    shutil.copyfile(demo_build.warehouse, root / "warehouse" / "olist.duckdb")
    (root / "exports").mkdir()
    with duckdb.connect(str(root / "warehouse" / "olist.duckdb"), read_only=True) as connection:
        for mart in ("customer_rfm", "customer_segments", "data_quality"):
            assert mart in CONSUMER_MARTS
            connection.sql(
                f"copy marts.{mart} to '{root / 'exports' / mart}.parquet' (format parquet)"
            )
    return root


def console_command() -> list[str]:
    """The installed entry point when it is there, else the same code as a module."""
    script = Path(sys.executable).parent / "olist-sql"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "olist_segmentation.sql_console"]


def analyst_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "OLIST_DUCKDB_PATH"}
    return env


@pytest.mark.parametrize(
    ("line", "arguments", "redirect"),
    RECIPES,
    ids=[f"recipe{index}" for index in range(len(RECIPES))],
)
def test_readme_query_returns_rows(
    line: str, arguments: list[str], redirect: str | None, analyst_dir: Path, tmp_path: Path
) -> None:
    arguments = [argument.replace("/tmp/", f"{tmp_path}/") for argument in arguments]
    completed = subprocess.run(
        [*console_command(), *arguments],
        cwd=analyst_dir,
        env=analyst_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert completed.returncode == 0, f"{line}\n{completed.stderr}"
    assert completed.stderr == "", completed.stderr
    output = completed.stdout
    if redirect:
        (analyst_dir / redirect).write_text(output)
    if "--csv" in arguments:
        rows = output.strip().splitlines()[1:]
        assert rows, f"{line}: no rows"
    else:
        footer = output.strip().splitlines()[-1]
        match = re.fullmatch(r"\((\d+) rows?\)", footer)
        assert match, f"{line}: no row count\n{output}"
        # the moves between builds are empty after a first build (the README says so)
        last_statement = line.rstrip().rstrip(";").split(";")[-1]
        if "segment_snapshot_transitions" not in last_statement:
            assert int(match[1]) > 0, f"{line}: no rows\n{output}"


def test_readme_python_examples_run(analyst_dir: Path) -> None:
    blocks = [text for language, text in readme_blocks() if language == "python"]
    assert blocks
    for text in blocks:
        completed = subprocess.run(
            [sys.executable, "-c", text],
            cwd=analyst_dir,
            env=analyst_env(),
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert completed.returncode == 0, f"{text}\n{completed.stderr[-2000:]}"


def makefile_targets() -> set[str]:
    text = (REPO_ROOT / "Makefile").read_text()
    return set(re.findall(r"^([a-zA-Z][a-zA-Z0-9_-]*):", text, flags=re.MULTILINE))


def test_readme_make_commands_name_real_targets() -> None:
    targets = makefile_targets()
    named = set()
    for line in shell_lines():
        tokens = shlex.split(line, comments=True)
        for index, token in enumerate(tokens[:-1]):
            if token == "make":
                named.update(t for t in tokens[index + 1 :] if "=" not in t and t != "&&")
                break
    named = {name for name in named if not name.startswith("-")}
    assert {"build", "test", "sql"} <= named
    assert named <= targets, f"not Makefile targets: {sorted(named - targets)}"


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_sql_passes_the_query_to_olist_sql() -> None:
    completed = subprocess.run(
        ["make", "--no-print-directory", "-n", "sql", "Q=select 'it''s' as x"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    last = completed.stdout.strip().splitlines()[-1]
    assert "bin/olist-sql" in last
    assert '"$Q"' in last, "the query goes through the environment, never re-quoted"
