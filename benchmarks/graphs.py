"""The Dagster programs `make bench` times against a full refresh, each run as its own process
with the project's instance: Dagster's floor (one trivial asset), and the project's asset graph
(every asset and check of the definitions) with empty bodies, cut into steps and reported in
each of the ways docs/materialization.md weighs:

- `chosen`: what the pipeline does. One subsettable step; its results reported as
  `AssetMaterialization` and `AssetCheckEvaluation` events; the refresh job selects the assets,
  whose checks are evaluated inside the step.
- `checks_planned`: the same, with the checks in the job's selection too (Dagster stores a
  planned event for each before the run starts).
- `outputs`: one step that yields `MaterializeResult` and `AssetCheckResult` (an output event
  for each, and Dagster's lookups of what each read), everything selected.
- `five_steps`: the cut before this one: one step per stage (sources, models, exports, report,
  release), yielding outputs.

Belongs here: those programs. Stays out: timing them (run.py).
"""

from __future__ import annotations

TRIVIAL_ASSET = """
import dagster as dg

@dg.asset
def trivial():
    return 1

with dg.DagsterInstance.get() as instance:
    assert dg.materialize([trivial], instance=instance).success
"""

_HEADER = """
import dagster as dg
from pipeline.defs.factory import build_definitions
from pipeline import lineage

QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
(refresh,) = build_definitions().assets
SPECS, CHECKS = list(refresh.specs), list(refresh.check_specs)
ASSETS_ONLY = dg.AssetSelection.all() - dg.AssetSelection.all_asset_checks()


def step(name, specs, checks, outputs):
    inside = {s.key for s in specs}
    if outputs:  # a step per stage: what other steps make are its dependencies, not its outputs
        specs = [
            s.replace_attributes(deps=[d for d in s.deps if d.asset_key not in inside])
            for s in specs
        ]

    @dg.multi_asset(name=name, specs=specs, check_specs=checks, can_subset=True)
    def body(context: dg.AssetExecutionContext):
        for spec in specs:
            yield dg.MaterializeResult(asset_key=spec.key) if outputs else (
                dg.AssetMaterialization(spec.key)
            )
        for check in checks:
            kind = dg.AssetCheckResult if outputs else dg.AssetCheckEvaluation
            yield kind(asset_key=check.asset_key, check_name=check.name, passed=True)

    return body


def run(steps, selection):
    job = dg.define_asset_job("refresh", selection=selection, executor_def=dg.in_process_executor)
    defs = dg.Definitions(assets=steps, jobs=[job])
    with dg.DagsterInstance.get() as instance:
        result = defs.resolve_job_def("refresh").execute_in_process(
            instance=instance, run_config=QUIET
        )
        assert result.success
"""

EMPTY_GRAPHS = {
    "chosen": _HEADER + "run([step('refresh_warehouse', SPECS, CHECKS, False)], ASSETS_ONLY)",
    "checks_planned": _HEADER
    + "run([step('refresh_warehouse', SPECS, CHECKS, False)], dg.AssetSelection.all())",
    "outputs": _HEADER
    + "run([step('refresh_warehouse', SPECS, CHECKS, True)], dg.AssetSelection.all())",
    "five_steps": _HEADER
    + """
from pipeline.build import STEP_OF
by_step = {}
for spec in SPECS:
    by_step.setdefault(STEP_OF[spec.tags["layer"]], []).append(spec)
steps = [
    step(name, specs, [c for c in CHECKS if c.asset_key in {s.key for s in specs}], True)
    for name, specs in by_step.items()
]
run(steps, dg.AssetSelection.all())
""",
}
