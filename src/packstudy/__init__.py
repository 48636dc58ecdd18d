"""packstudy: EV battery-system feasibility studies (technical, cost, footprint) in one run.

In a notebook: ``result = packstudy.run_study("study.toml")``; ``result.to_pandas()`` gives
the metrics, ``result.verdicts`` the verdict per candidate and area.
"""

from .version import __version__

__all__ = ["__version__", "run_study"]


def run_study(source, **options):
    """Run a study (a TOML path or a dict); see ``packstudy.runner.run_study``."""
    from .runner import run_study as _run

    return _run(source, **options)
