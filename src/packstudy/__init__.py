"""packstudy: EV battery-system feasibility studies (technical, cost, footprint) in one run."""

__version__ = "0.1.0"
