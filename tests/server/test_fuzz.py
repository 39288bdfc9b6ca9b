"""Fuzz the API from its own OpenAPI schema (schemathesis): no 5xx, no schema violation."""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import allow_header_conformance, positive_data_acceptance

from queue_app.loaders import load_catalog, load_hall_for
from queue_app.server import create_app
from queue_app.store import Store
from queue_app.store.staff import Role, add_staff, sign_in
from tests.conftest import FIXTURES, midday_hall

_tmp = tempfile.TemporaryDirectory(prefix="queue-fuzz-")
_catalog = load_catalog(FIXTURES / "mini_catalog.yaml")
_store = Store(
    f"sqlite:///{Path(_tmp.name) / 'fuzz.db'}",
    _catalog,
    load_hall_for(midday_hall(Path(_tmp.name)), _catalog),  # on the real clock
)
for _w in (1, 2, 3, 4):
    _store.open_window(_w)
_store.issue(["M-SBK"])
add_staff(_store, "fuzzer", Role.MANAGER, "fuzz-password")
TOKEN = sign_in(_store, "fuzzer", "fuzz-password", None).token
app = create_app(_store)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


# left out: the live events (an endless stream: tested on uvicorn) and signing out, which
# would end the one session every other case acts with
@schema.exclude(path_regex="^/api/(events|auth/sign-out)$").parametrize()
@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema_and_never_fails(case: schemathesis.Case) -> None:
    # Left out on purpose: positive_data_acceptance (a schema-valid but unknown matter code
    # is a 422 by design) and allow_header_conformance (Starlette's 405 lists the methods
    # of the first route matching the path, not of every route on it).
    case.call_and_validate(
        headers={"Authorization": f"Bearer {TOKEN}"},
        excluded_checks=[positive_data_acceptance, allow_header_conformance],
    )
