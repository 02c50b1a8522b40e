"""HTML parsing fetches nothing and expands no entity: no external DTD, no external or nested entities.

Runs in-process through ``transforms.clean.clean_text(..., html=True)`` with every
socket connection (and name lookup) made to fail loudly and recorded.
"""

from __future__ import annotations

import socket

import pytest

from transforms.clean import clean_text

PARAGRAPHS = "".join(
    f"<p>{s}</p>" for s in (
        "The harbour ferry resumed its morning crossings on Tuesday after a three-day pause caused by the storm.",
        "Engineers inspected the landing stages overnight and found only minor damage to the wooden railings.",
        "Commuters who had faced a ninety-minute detour by road welcomed the return of the service.",
        "The operator said timetables would run normally for the rest of the week, weather permitting.",
    ))


@pytest.fixture
def no_network(monkeypatch):
    attempts: list[object] = []

    def refuse(*args, **kwargs):
        attempts.append(args[1:] if len(args) > 1 else args)
        raise OSError("network access attempted during HTML parsing")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def _page(doctype: str, marker: str) -> str:
    return (f"{doctype}\n<html><head><title>Ferry service resumes</title>"
            '<link rel="stylesheet" href="http://127.0.0.1:9/style.css">'
            '<script src="http://127.0.0.1:9/app.js"></script></head><body><article>'
            f"<h1>Ferry service resumes</h1><p>Check: [{marker}]</p>"
            '<img src="http://127.0.0.1:9/photo.jpg" alt="">'
            '<iframe src="http://127.0.0.1:9/frame.html"></iframe>'
            f"{PARAGRAPHS}</article></body></html>")


def test_external_dtd_and_entities_are_neither_fetched_nor_expanded(no_network, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-CANARY-7f3a")
    doctype = (f'<!DOCTYPE x SYSTEM "http://127.0.0.1:9/x.dtd" [\n'
               f'  <!ENTITY xxe SYSTEM "file:///etc/passwd">\n'
               f'  <!ENTITY secret SYSTEM "file://{secret}">\n'
               f'  <!ENTITY remote SYSTEM "http://127.0.0.1:9/e.txt">\n'
               f'  <!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n]>')
    doc = clean_text(_page(doctype, "&xxe; &secret; &remote; &lol2;"), html=True)
    everything = "\n".join([doc.title or "", doc.text, *doc.paragraphs, *(r.text for r in doc.removed),
                            *(f"{k}={v}" for k, v in doc.metadata.items())])
    assert no_network == []
    assert "root:" not in everything and "SECRET-CANARY" not in everything
    assert "lollol" not in everything
    assert any("harbour ferry resumed" in p for p in doc.paragraphs)


def test_xml_declaration_and_xhtml_doctype_do_not_fetch(no_network):
    doctype = ('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
               '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">')
    doc = clean_text(_page(doctype, "plain"), html=True)
    assert no_network == []
    assert any("harbour ferry resumed" in p for p in doc.paragraphs)


def test_the_guard_itself_catches_a_connection(no_network):
    with pytest.raises(OSError, match="network access attempted"):
        socket.create_connection(("127.0.0.1", 9))
    assert len(no_network) == 1


def test_a_batch_run_without_runner_skips_beams_prism_download():
    """Beam's default DirectRunner tries Prism first, which downloads a binary at run time: pin the FnApiRunner."""
    from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions

    from pipeline.main import pin_local_batch_runner

    default = PipelineOptions([])
    pin_local_batch_runner(default)
    assert default.view_as(StandardOptions).runner == "FnApiRunner"
    chosen = PipelineOptions(["--runner", "DataflowRunner"])
    pin_local_batch_runner(chosen)
    assert chosen.view_as(StandardOptions).runner == "DataflowRunner"
    streaming = PipelineOptions(["--streaming"])
    pin_local_batch_runner(streaming)
    assert streaming.view_as(StandardOptions).runner is None
