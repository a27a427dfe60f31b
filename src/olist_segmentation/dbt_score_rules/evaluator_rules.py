"""dbt-project-evaluator's structural rules as dbt-score rules (read from the manifest only)."""

# No `from __future__ import annotations`: dbt-score reads the rule argument annotations at runtime.

from dbt_score import Model, RuleViolation, Source, rule


@rule
def only_staging_reads_sources(model: Model) -> RuleViolation | None:
    """Only staging models read sources (evaluator: marts_or_intermediate_dependent_on_source)."""
    sources = [p.name for p in model.parents if isinstance(p, Source)]
    if sources and not model.original_file_path.startswith("models/staging/"):
        return RuleViolation(message=f"reads source(s) {', '.join(sources)}")


@rule
def source_has_one_model(source: Source) -> RuleViolation | None:
    """A source is read by one model (evaluator: source_fanout)."""
    models = [c.name for c in source.children if isinstance(c, Model)]
    if len(models) > 1:
        return RuleViolation(message=f"read by {', '.join(models)}")


@rule
def has_primary_key_test(model: Model) -> RuleViolation | None:
    """unique + not_null on one column, or unique_combination_of_columns.

    The evaluator's missing_primary_key_tests: every model states and tests its grain.
    """
    tests = list(model.tests) + [t for c in model.columns for t in c.tests]
    by_column: dict[str, set[str]] = {}
    for test in tests:
        if test.type == "unique_combination_of_columns":
            return None
        column = test.kwargs.get("column_name")
        if column:
            by_column.setdefault(column, set()).add(test.type)
    if not any({"unique", "not_null"} <= types for types in by_column.values()):
        return RuleViolation(message="no primary-key test")


@rule
def model_has_group(model: Model) -> RuleViolation | None:
    """Every model is in a group of models/_groups.yml, set per folder in dbt_project.yml."""
    if not model.group:
        return RuleViolation(message="no group: add its folder to a +group in dbt_project.yml")


@rule
def public_model_has_contract(model: Model) -> RuleViolation | None:
    """A public model has an enforced contract with a data_type on every column.

    The evaluator's public_models_without_contract; a Python model cannot be public (no contract).
    """
    if model.access != "public":
        return None
    if not model.config.get("contract", {}).get("enforced"):
        return RuleViolation(message="public without an enforced contract")
    untyped = [column.name for column in model.columns if not column.data_type]
    if untyped:
        return RuleViolation(message=f"public, columns without data_type: {', '.join(untyped)}")
