// A JavaScript SPARQL client as a web app would write it: Node's built-in fetch (no packages).
// Usage: node fetch.mjs BASE_URL — prints one JSON object with what each request returned.
const base = process.argv[2];
const endpoint = `${base}/sparql`;
const ontology = "https://w3id.org/nelmkg/ontology";
const title = "http://purl.org/dc/terms/title";

async function run() {
  const out = {};
  // SELECT over GET, SPARQL JSON results.
  const select = `SELECT ?title WHERE { <${ontology}> <${title}> ?title }`;
  let response = await fetch(`${endpoint}?query=${encodeURIComponent(select)}`, {
    headers: { Accept: "application/sparql-results+json" },
  });
  const results = await response.json();
  out.select = results.results.bindings.map((b) => b.title.value);
  // ASK over a form POST.
  response = await fetch(endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/sparql-results+json" },
    body: new URLSearchParams({ query: `ASK { <${ontology}> a <http://www.w3.org/2002/07/owl#Ontology> }` }),
  });
  out.ask = (await response.json()).boolean;
  // CONSTRUCT posted directly, JSON-LD back.
  response = await fetch(endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/sparql-query", Accept: "application/ld+json" },
    body: `CONSTRUCT { <${ontology}> <${title}> ?t } WHERE { <${ontology}> <${title}> ?t }`,
  });
  out.constructType = response.headers.get("content-type");
  out.construct = await response.json();
  // A query with an undeclared prefix: the problem names it.
  response = await fetch(`${endpoint}?query=${encodeURIComponent("SELECT * WHERE { ?s a nelm:Therapy }")}`);
  out.problem = { status: response.status, body: await response.json() };
  process.stdout.write(JSON.stringify(out));
}

run().catch((error) => {
  process.stderr.write(String(error));
  process.exit(1);
});
