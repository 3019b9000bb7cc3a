"""Where published releases live: one interface, two implementations, and the one place that
chooses between them.

- base.py: `ReleaseStore`, the interface;
- local.py: `LocalStore` (the default): releases are folders under the warehouse, `current` a
  symlink swapped atomically (pipeline/release.py), publishes serialised by a lock file;
- s3.py: `S3Store`, with `PIPELINE_PUBLISH_URL=s3://bucket/prefix`: releases are objects under
  `releases/<id>/`, and `current.json`, one object moved by a conditional write, names the
  current one and the releases kept, in publish order.

Belongs here: the choice, `open_store(settings)` (and `as_store`, a store given a warehouse
folder's layout): the rest of the code does not know which store is in use. Stays out: S3's
client (object_store.py), where a setting says releases go (locations.py), verifying
(integrity.py).
"""

from __future__ import annotations

from pipeline import release
from pipeline.settings import Settings
from pipeline.store.base import ReleaseStore
from pipeline.store.local import LocalStore
from pipeline.store.s3 import S3Store


def open_store(settings: Settings) -> ReleaseStore:
    """The store the settings name: object storage with PIPELINE_PUBLISH_URL, else the
    warehouse folder."""
    layout = release.WarehouseLayout(settings.warehouse_dir)
    if settings.publish_url:
        return S3Store(settings.publish_url, layout)
    return LocalStore(layout)


def as_store(where: ReleaseStore | release.WarehouseLayout) -> ReleaseStore:
    """A store, given one or a warehouse folder's layout (the local store of that folder)."""
    return where if isinstance(where, ReleaseStore) else LocalStore(where)
