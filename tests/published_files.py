"""What the tests read that the repository does not hold: WJP's and V-Dem's published files, and
the paper's own text.

The two downloads come the way the pipeline gets them
(pipeline/transforms/sources/download_sources.py):
from the download cache that `make run` fills, else from the source's mirror variable
(`WJP_SNAPSHOT_URL`, `VDEM_SNAPSHOT_URL`) or its pinned URL, always checked against the size and
sha256 pinned in raw/<folder>/<stem>.meta.yml. A file fetched here enters the same cache, so the
next `make run` or `make test` reads it from there.

The paper's text is not public at a URL: the tests that compare the transcriptions with it read
the file named by `PAPER_TEXT`, checked against its sha256 below. Without the variable they are
skipped, and `make test` ends with one line that says so (conftest.py).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

PAPER_TEXT_VARIABLE = "PAPER_TEXT"
# The extracted text of the paper that raw/paper/*.meta.yml transcribe (000_7f6503c546157ee3.txt).
PAPER_TEXT_SHA256 = "96e115649b2849eddd02e45d108c953d859a24cd3f51f3301ecbfb3f80362604"
PAPER_TEXT_SKIP = (
    f"the paper's own text is not given: set {PAPER_TEXT_VARIABLE} to the path of its extracted "
    "text (README, 'Development')"
)


def download(source_id: str) -> bytes:
    """The pinned file of one download (`wjp_roli`, `vdem_ert`), verified; a failing test that
    names the variable to set when it can be had from neither the cache nor the network."""
    from pipeline.schemas.origin import DOWNLOAD
    from pipeline.settings import REPO_ROOT, Settings, mirror_urls
    from pipeline.transforms.sources.download_sources import DOWNLOADS
    from pipeline.transforms.sources.downloads import SourceUnavailable, obtain
    from pipeline.transforms.sources.origins import load_record

    source = next(s for s in DOWNLOADS if s.source_id == source_id)
    raw_dir = REPO_ROOT / "raw"
    loaded = load_record(source.record_path(raw_dir), raw_dir, DOWNLOAD)
    assert not loaded.problems, loaded.problems
    pin = source.pin(loaded.record, mirror_urls().get(source_id))
    cache_dir = Settings.resolve().cache_dir / source.folder
    try:
        return obtain(pin, cache_dir, lambda path: None).path.read_bytes()
    except SourceUnavailable as unavailable:
        reason = str(unavailable)
    pytest.fail(
        f"{source_id}: {reason}. The tests obtain it as `make run` does: from the cache "
        f"({cache_dir}), else from that URL. Offline, set {source.url_env} to a mirror: an "
        "http:// or file:// URL of the same file (its sha256 is checked).",
        pytrace=False,
    )


def paper_text() -> str:
    """The paper's extracted text, checked by sha256; a skip when `PAPER_TEXT` is not set."""
    given = os.environ.get(PAPER_TEXT_VARIABLE)
    if not given:
        pytest.skip(PAPER_TEXT_SKIP)
    path = Path(given)
    if not path.is_file():
        pytest.fail(f"{PAPER_TEXT_VARIABLE}={given}: no such file", pytrace=False)
    data = path.read_bytes()
    found = hashlib.sha256(data).hexdigest()
    if found != PAPER_TEXT_SHA256:
        pytest.fail(
            f"{PAPER_TEXT_VARIABLE}={given}: sha256 {found[:12]}, not the transcribed text's "
            f"{PAPER_TEXT_SHA256[:12]}",
            pytrace=False,
        )
    return data.decode("utf-8")
