"""/healthz for load balancers and monitoring: does the database answer?"""
from __future__ import annotations

from flask import Blueprint, jsonify

from ..db import database_answers

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """200 when the database answers a query, 503 (with Retry-After) when it does not."""
    if database_answers():
        return jsonify(status="ok", database="ok")
    response = jsonify(status="unavailable", database="unavailable")
    response.status_code = 503
    response.headers["Retry-After"] = "5"
    return response
