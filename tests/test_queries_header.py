"""Every .rq under queries/ has a `#+ summary:` header and is listed in queries/README.md."""

from nelmkg import paths
from nelmkg.graph.queries import read_header


def test_query_files_collected():
    assert len(paths.query_files()) > 0, "no .rq files under queries/"


def test_readme_exists():
    assert (paths.queries_dir() / "README.md").is_file()


def test_has_summary(rq_file):
    summary = read_header(rq_file.read_text(encoding="utf-8")).get("summary", [""])[0]
    assert summary, f"{rq_file.name} lacks a '#+ summary:' header line"


def test_listed_in_readme(rq_file):
    readme = (paths.queries_dir() / "README.md").read_text(encoding="utf-8")
    listed = str(rq_file.relative_to(paths.queries_dir()))
    assert listed in readme, f"queries/README.md does not list {listed}"
