"""`python -m pipeline.settings [--dev-port N] [--dagster-home]`: every bad setting, one line
each, and exit 2 (checks.py)."""

import sys

from pipeline.settings.checks import main

sys.exit(main())
