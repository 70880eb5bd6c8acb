// The "try it" form of /api: post the case in the text area and show the answer.
"use strict";
document.getElementById("try").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  const status = document.getElementById("status");
  const answer = document.getElementById("answer");
  status.textContent = "…";
  const reply = await fetch(form.route.value, {
    method: "POST",
    headers: {"Content-Type": "application/json", "Accept": form.route.value === "/validate" ? "text/turtle" : "application/json"},
    body: form.case.value,
  });
  const text = await reply.text();
  status.textContent = `${reply.status} ${reply.headers.get("Content-Type")}`;
  try {
    answer.textContent = JSON.stringify(JSON.parse(text), null, 2);
  } catch (error) {
    answer.textContent = text;
  }
});
