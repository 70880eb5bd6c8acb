"""Run requests against the app under an audit hook, in a process of its own.

Used by ``tests/web/test_cases_api.py``: an audit hook cannot be removed once added, so it is
installed here, in a child process, never in the test process. Usage::

    python outside_access.py SECRET < requests.json

``requests.json`` is a list of ``{"name", "path", "body", "content_type"}``; ``{secret}`` in a
body is replaced by the SECRET path. A ``{"name", "control": true}`` entry reads SECRET itself
instead of sending a request: the check that the hook does see a read. While each entry runs,
the hook records any network event and any opening of SECRET; the output is one JSON list of
``{"name", "status", "mimetype", "body", "seen"}``.
"""

from __future__ import annotations

import json
import sys

NETWORK = {"socket.connect", "socket.getaddrinfo", "urllib.Request", "http.client.connect"}
WATCH: dict = {"on": False, "secret": "", "seen": []}


def _audit(event: str, args: tuple) -> None:
    if not WATCH["on"]:
        return
    if event in NETWORK or (event == "open" and WATCH["secret"] in str(args[0])):
        WATCH["seen"].append(event)


def main() -> int:
    secret = sys.argv[1]
    requests = json.load(sys.stdin)
    sys.addaudithook(_audit)  # this process only; it ends when the requests are answered

    from nelmkg.web import create_app
    from nelmkg.web.service import build_service

    service = build_service()
    client = create_app({"COMMIT": "0" * 40}, service=service).test_client()
    WATCH["secret"] = secret
    answers = []
    for request in requests:
        body = request.get("body", "").replace("{secret}", secret)
        WATCH.update(on=True, seen=[])
        try:
            if request.get("control"):
                with open(secret, encoding="utf-8") as handle:
                    handle.read()
                answers.append({"name": request["name"], "seen": WATCH["seen"]})
                continue
            response = client.post(
                request["path"], data=body.encode("utf-8"), content_type=request["content_type"]
            )
        finally:
            WATCH["on"] = False
        answers.append(
            {
                "name": request["name"],
                "status": response.status_code,
                "mimetype": response.mimetype,
                "body": response.get_data(as_text=True),
                "seen": WATCH["seen"],
            }
        )
    service.close()
    json.dump(answers, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
