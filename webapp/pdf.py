"""Printable documents: a Jinja template rendered to PDF by WeasyPrint.

Every PDF the county prints (donation certificates, the window's wall poster, meeting minutes,
the monthly report) is an HTML template in its area's ``templates/<area>/pdf/`` folder that
extends the shared ``pdf/base.html``; WeasyPrint lays it out with the system's CJK fonts
(Debian's fonts-noto-cjk, installed by ``make setup``), so Chinese text is real text in the
file, not pictures.
"""

from __future__ import annotations

import io
from typing import Any

from flask import Response, render_template, send_file

PDF_MIMETYPE = "application/pdf"


def render_pdf(template: str, **context: Any) -> bytes:
    """Render ``template`` with ``context`` and return the PDF's bytes."""
    # WeasyPrint loads cairo/pango at import: keep it out of the app's start-up.
    from weasyprint import HTML

    html = render_template(template, **context)
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def pdf_response(template: str, filename: str, **context: Any) -> Response:
    """A download of ``template`` rendered to PDF, named ``filename`` (ASCII or UTF-8)."""
    response = send_file(io.BytesIO(render_pdf(template, **context)), mimetype=PDF_MIMETYPE,
                         as_attachment=True, download_name=filename, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response
