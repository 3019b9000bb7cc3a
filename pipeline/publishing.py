"""The last step of a refresh: hand the checked build to the release store (pipeline/store/),
which makes it the current release unless another one was published meanwhile, then commit its
marts to the DuckLake catalog when one is set (pipeline/lake.py, in its own process:
pipeline/lake_process.py).

The lake follows the store: it is written only once the release is current, so that it never
holds a release that was refused. A lake that cannot be written does not undo the release: the
run says so, and the next publish commits the release it publishes.

Belongs here: that order and what each failure means. Stays out: building (build.py), the
stores and the lake themselves.
"""

from __future__ import annotations

import time

from pipeline import release
from pipeline.locations import StoreError
from pipeline.store.base import ReleaseStore


def publish(store: ReleaseStore, build, settings, expected: str | None, result, log) -> None:
    """Publish `build` as the result's release, unless `current` moved from `expected`; then
    the lake. A refusal goes into `result.refused`."""
    started = time.monotonic()
    release_id = release.new_release_id(build)
    for entry in result.manifest["assets"].values():
        entry.setdefault("release_id", release_id)
    try:
        result.release_dir = store.publish(
            build, result.manifest, settings.keep_releases, release_id, expected
        )
    except (release.ReleaseMoved, StoreError) as refused:
        result.refused = [f"{refused}"]
        return
    result.release_id = release_id
    if settings.lake_catalog:
        from pipeline import lake_process

        try:
            result.lake = lake_process.commit(settings, result.release_dir, release_id, log)
        except lake_process.LakeError as err:
            result.lake = f"not updated: {err}"
            log(f"release {release_id} was published, but the lake was {result.lake}")
    result.seconds["publish"] = time.monotonic() - started
