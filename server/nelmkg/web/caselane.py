"""Sending a request's body to the case lane (:mod:`nelmkg.web.lanes`) and back.

Used by the case routes (:mod:`nelmkg.web.cases.routes`) and the FHIR routes
(:mod:`nelmkg.web.fhir`): the raw body goes to a case evaluator, where it is read, checked and
answered under ``CASE_TIMEOUT`` (:mod:`nelmkg.web.casework`, :mod:`nelmkg.web.fhir.work`); the
web thread never parses it. What can go wrong on the way is a problem here, the same for every
route: a full lane 503 with ``Retry-After``, a job past the time limit 503, an evaluator killed
(or a client that left) 503.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, request

from nelmkg.web.casework import Reply
from nelmkg.web.lanes import Busy, ClientGone, EvaluationTimeout, EvaluatorCrashed, PoolTimeout
from nelmkg.web.problems import Problem
from nelmkg.web.service import current


def client_gone(req) -> Callable[[], bool] | None:
    """Return the server's "has the client gone?" check for ``req`` (None if it has none)."""
    return req.environ.get("waitress.client_disconnected")


def send(op: str, payload: dict) -> Reply:
    """Run case operation ``op`` on ``payload`` in a case evaluator; return its tagged reply."""
    timeout = current_app.config["CASE_TIMEOUT"]
    try:
        return current().run_case(op, payload, timeout, request.remote_addr, client_gone(request))
    except Busy as exc:
        raise Problem(
            503,
            "case-capacity",
            "Every case evaluator of this worker is busy; try again shortly.",
            headers={"Retry-After": "1"},
        ) from exc
    except (EvaluationTimeout, PoolTimeout) as exc:
        raise Problem(
            503,
            "case-timeout",
            f"Reading and checking this body took more than {timeout:g} s and was stopped.",
            limit_seconds=timeout,
        ) from exc
    except (EvaluatorCrashed, ClientGone) as exc:
        raise Problem(
            503,
            "case-stopped",
            "The process checking this case was stopped (killed, or the client left); "
            "it has been restarted. Try again.",
        ) from exc
