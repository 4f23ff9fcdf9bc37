"""The shared PDF frame: Chinese text comes out as text, not boxes or pictures."""

import io

from jinja2 import ChoiceLoader, DictLoader
from pypdf import PdfReader

from webapp.pdf import pdf_response, render_pdf


def test_render_pdf_keeps_chinese_text_extractable(app):
    app.jinja_loader = ChoiceLoader([
        DictLoader({"pdf/_probe.html": '{% extends "pdf/base.html" %}{% block body %}'
                    "<h1>捐赠证明</h1><p>高唐县民政局 ¥8,000.00</p>{% endblock %}"}),
        app.jinja_loader,
    ])
    app.jinja_env.cache = {}
    with app.test_request_context("/"):
        pdf = render_pdf("pdf/_probe.html")
        response = pdf_response("pdf/_probe.html", "证明.pdf")
    assert pdf.startswith(b"%PDF-")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "捐赠证明" in text and "高唐县民政局" in text
    assert response.mimetype == "application/pdf"
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
