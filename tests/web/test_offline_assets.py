"""The pages work with no internet: templates and static files name no other host.

Allowed: our own IRIs (``w3id.org/nelmkg``), W3C namespace IRIs (the SVG namespace, RDF
vocabularies) and the review's DOI. The vendored YASGUI bundle is left out of the grep: it
carries a list of namespace IRIs as data and default endpoints the editor replaces; that it
fetches nothing from elsewhere is checked in a real browser (``tests/browser``), which fails
on any request leaving 127.0.0.1.
"""

from __future__ import annotations

import re
from pathlib import Path

import nelmkg.web

WEB = Path(nelmkg.web.__file__).parent
URL = re.compile(r"https?://[^\s\"'<>)`]+")
ALLOWED = (
    "https://w3id.org/nelmkg/",
    "http://www.w3.org/",
    "https://www.w3.org/",
    "https://doi.org/10.21037/hbsn",
)
VENDORED = {
    WEB / "static" / "yasgui" / "yasgui.min.js",
    WEB / "static" / "yasgui" / "yasgui.min.css",
}


def page_files() -> list[Path]:
    files = [*WEB.glob("templates/*.html"), *WEB.glob("static/**/*")]
    return sorted(p for p in files if p.is_file() and p not in VENDORED)


def test_no_external_host_in_templates_or_static():
    files = page_files()
    assert len(files) >= 10
    found = [
        f"{p.relative_to(WEB)}: {url}"
        for p in files
        for url in URL.findall(p.read_text(encoding="utf-8"))
        if not url.startswith(ALLOWED)
    ]
    assert found == []


def test_editor_turns_off_network_features():
    script = (WEB / "static" / "editor.js").read_text(encoding="utf-8")
    assert "prefixCcApi = null" in script
    assert 'name === "prefixes" || name === "variables"' in script  # no LOV autocompleters
    assert "endpointCatalogueOptions" in script
    bundle = (WEB / "static" / "yasgui" / "yasgui.min.js").read_text(encoding="utf-8")
    assert "sourceMappingURL" not in bundle
    assert not re.search(
        r"url\(\s*['\"]?https?:", (WEB / "static/yasgui/yasgui.min.css").read_text()
    )
