"""Human-facing outputs of an audit: the HTML report and the Hugging Face-style model card.

* :func:`render_report` — one self-contained HTML file (inline CSS and SVG, nothing fetched).
* :func:`render_model_card` — Markdown with YAML front matter in the Hugging Face model-card layout.
"""

from qtrust.report.html import render_report
from qtrust.report.model_card import render_model_card

__all__ = ["render_model_card", "render_report"]
