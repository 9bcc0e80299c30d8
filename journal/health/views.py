"""/healthz for load balancers and monitoring: can the database be read and written?"""

from __future__ import annotations

from flask import Blueprint, jsonify

from .storage import database_state

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 when the database answers and takes a write; 503 (with Retry-After) when it does not."""
    state = database_state()
    if state == "ok":
        return jsonify(status="ok", database="ok")
    response = jsonify(status="unavailable", database=state)
    response.status_code = 503
    response.headers["Retry-After"] = "5"
    return response
