"""The Web Annotation export gives one text-quote selector per statement quote."""

from rdflib import Namespace
from rdflib.namespace import RDF

from nelmkg import paths
from nelmkg.graph.queries import load_query
from nelmkg.graph.vocab import NELM

OA = Namespace("http://www.w3.org/ns/oa#")


def test_every_quote_becomes_a_text_quote_selector(data):
    query = load_query(paths.queries_dir("evidence") / "web-annotations.rq")
    annotations = data.query(query.prepared).graph
    quotes = set(data.objects(None, NELM.quote))
    exact = set(annotations.objects(None, OA.exact))
    assert exact == quotes
    selectors = set(annotations.subjects(RDF.type, OA.TextQuoteSelector))
    assert len(selectors) == len(set(data.subjects(NELM.quote, None)))
    sources = {str(r) for r in annotations.objects(None, OA.hasSource)}
    assert sources == {"https://w3id.org/nelmkg/id/review"}
