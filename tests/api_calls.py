"""Calls to the action API as a client sends them, shared by the suite's API fuzz tests."""
from __future__ import annotations

import json


def send(app, action: str, params: dict, headers: dict, post: bool):
    """``params`` as a JSON POST body, or as a GET query string; any status is returned."""
    if post:
        return app.post(f"/api/3/action/{action}", data=json.dumps(params),
                        headers=dict(headers, **{"Content-Type": "application/json"}),
                        expect_errors=True)
    return app.get(f"/api/3/action/{action}", query_string=params, headers=headers,
                   expect_errors=True)
