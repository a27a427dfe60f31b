"""dbt-score rules that keep the project clean of dbt-project-evaluator's structural findings.

dbt-project-evaluator needs the dbt hub; these rules read the manifest that `dbt parse` writes and
run in `make lint` (pyproject.toml, [tool.dbt-score]).
"""
