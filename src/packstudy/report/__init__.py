"""The study report: ``write_report(result, path)`` writes one self-contained ``report.html``."""

from .html import render_report, report_data, write_report
from .plots import PLOTS, Plot

__all__ = ["PLOTS", "Plot", "render_report", "report_data", "write_report"]
