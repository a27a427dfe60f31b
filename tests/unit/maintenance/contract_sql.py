"""The contract's SQL models run on a study, without dbt: the rule is tested where it lives.

The maintenance marts are plain SQL over ``int_segment_stability_measured``; here they are
rendered with Jinja (``ref`` is the table name, ``var`` the project default or an override) and
run in an in-memory DuckDB on the long rows of a synthetic study.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import jinja2
import pandas as pd
import yaml

from olist_segmentation.maintenance.steps import stability_measures

REPO_ROOT = Path(__file__).resolve().parents[3]
MARTS = REPO_ROOT / "models" / "marts" / "maintenance"
# In dependency order.
CONTRACT_MODELS = [
    "segment_stability",
    "segment_stability_feature_psi",
    "segment_stability_segment_shares",
    "maintenance_contract_by_origin",
    "maintenance_contract_by_month",
    "maintenance_contract_drift_alerts",
    "maintenance_contract",
]


def project_defaults() -> dict[str, Any]:
    return yaml.safe_load((REPO_ROOT / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]


def run_contract_models(
    study: pd.DataFrame, *, computed_on: date = date(2018, 8, 30), **overrides: Any
) -> dict[str, pd.DataFrame]:
    """Every contract model's rows for ``study`` (stability_study output), by model name.

    ``overrides`` replace project vars, e.g. ``stability_ari_threshold=0.9``.
    """
    values = {**project_defaults(), **overrides}
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    context = {"ref": lambda name: name, "var": lambda name: values[name]}
    measured = stability_measures(
        study.drop(columns=["elapsed_seconds"], errors="ignore"), history_sample_share=1.0
    )
    customers = pd.DataFrame({"reference_date": [pd.Timestamp(computed_on)]})
    with duckdb.connect() as con:
        con.register("measured_frame", measured)
        con.register("customers_frame", customers)
        con.execute("create table int_segment_stability_measured as select * from measured_frame")
        con.execute("create table customer_rfm as select * from customers_frame")
        for name in CONTRACT_MODELS:
            sql = environment.from_string((MARTS / f"{name}.sql").read_text()).render(context)
            con.execute(f"create table {name} as {sql}")
        return {name: con.sql(f"select * from {name}").df() for name in CONTRACT_MODELS}


def contract_row(study: pd.DataFrame, **overrides: Any) -> pd.Series:
    """The one row of maintenance_contract for ``study``."""
    return run_contract_models(study, **overrides)["maintenance_contract"].iloc[0]
