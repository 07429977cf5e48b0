"""The permission matrix over HTTP, on the demo's real records (issue 13, first "Done when").

Six accounts (national administrator, Khuzestan's and Gilan's province managers, a county
governor of Khuzestan, Khuzestan's cluster development agent, Khuzestan's viewer) × 16 kinds ×
(a record of their own place, one of another place, a national record of the reference kinds)
× read, create, update, delete through the API. The expected answers come from the domain's
permission matrix (``tests/domain/test_access_matrix.py``), not from the web code; the
records are placed here from the region hierarchy and the registry, independently of
:mod:`khooshe.services.access`.

The probes change nothing: *read* is a GET (200 or 403); *create* posts a copy of the record
(allowed: 409, the key exists; denied: 403); *update* and *delete* send a stale version
(allowed: 409, the record moved on; denied: 403).

Then, for every scoped account, every API list, HTML list, search, filter and CSV/XLSX export
of every kind holds exactly the records the account may read; and every account on every
workflow endpoint of the programme (stage approvals, village decisions and progress, committee
meetings, follow-ups and board, fund balance and payments, unit reports), on a record of its
own place and one of another, gets the answer the domain's matrix gives.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import re
from pathlib import Path
from urllib.parse import quote, unquote

import pandas as pd
import pytest

from conftest import login  # noqa: I001 (tests/web/conftest.py)
from khooshe.domain.regions import RegionHierarchy
from khooshe.domain.schema import LOAD_ORDER, entity
from khooshe.services.access import REGION_COLUMN
from khooshe.services.users import new_token
from khooshe.store.repository import read_kind
from khooshe.store.workspace import Workspace

_spec = importlib.util.spec_from_file_location(
    "access_matrix", Path(__file__).parents[1] / "domain" / "test_access_matrix.py")
assert _spec is not None and _spec.loader is not None
matrix = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(matrix)

USERS = {  # account: (role, its province)
    "admin": ("national_admin", "06"),
    "khuzestan": ("province_manager", "06"),
    "gilan": ("province_manager", "01"),
    "governor": ("county_governor", "06"),
    "agent": ("cluster_agent", "06"),
    "viewer06": ("viewer", "06"),
}
AGENT_CLUSTER = "CL06-01"
HTTP_ACTIONS = ("read", "create", "update", "delete")


class Places:
    """Where each demo record lies, from the regions, the clusters and the establishments."""

    def __init__(self, ws: Workspace):
        regions = read_kind(ws, "regions", columns=["code", "level", "parent_code"])
        h = RegionHierarchy(regions)
        self.province = h.ancestors("province").to_dict()
        self.county = h.ancestors("county").to_dict()
        self.governor_county = sorted(regions.loc[(regions["level"] == "county")
                                                  & (regions["parent_code"] == "06"), "code"])[0]
        est = read_kind(ws, "establishments", columns=["id", "region_code"])
        self.est_region = dict(zip(est["id"].astype(str), est["region_code"], strict=True))
        clusters = read_kind(ws, "clusters", columns=["code", "province_code", "regions"])
        self.cluster = {}
        for row in clusters.itertuples(index=False):
            listed = [c.strip() for c in str(row.regions or "").split(";") if c.strip()]
            self.cluster[row.code] = (row.province_code,
                                      {self.county.get(c) for c in listed} - {None})

    def of(self, kind: str, rec: dict) -> tuple[str | None, set, str | None]:
        """(province, counties, cluster) of a record; (None, ∅, None) for reference data."""
        if kind in matrix.REFERENCE:
            return None, set(), None
        if kind in matrix.CLUSTER:
            code = rec["code"] if kind == "clusters" else rec["cluster_code"]
            province, counties = self.cluster[code]
            return province, counties, code
        region = (self.est_region.get(str(rec["buyer_id"])) if kind == "purchases"
                  else rec[REGION_COLUMN[kind]])
        county = self.county.get(region)
        return self.province.get(region), ({county} if isinstance(county, str) else set()), None

    def where(self, user: str, kind: str, rec: dict) -> str:
        """'own', 'other' or 'national' for ``user`` (the domain matrix's three places)."""
        role, home = USERS[user]
        province, counties, cluster = self.of(kind, rec)
        if kind in matrix.REFERENCE:
            return "national"
        if role == "county_governor":
            return "own" if self.governor_county in counties else "other"
        if role == "cluster_agent" and kind in matrix.CLUSTER:
            return "own" if cluster == AGENT_CLUSTER else "other"
        return "own" if province == home else "other"


def _complete(ws: Workspace) -> None:
    """Records the small demo lacks for the matrix: purchases of a Gilan buyer (the demo's
    are all Khuzestan's) and a fund allocation to the governor's county (the demo's go to
    provinces)."""
    from khooshe.services import data

    est = read_kind(ws, "establishments", columns=["id", "region_code"])
    gilan = est.loc[est["region_code"].str.startswith("01"), "id"].iloc[0]
    purchase = read_kind(ws, "purchases").iloc[0].to_dict()
    purchase.update(id="PTEST-GILAN", buyer_id=gilan)
    allocation = read_kind(ws, "fund_allocations").iloc[0].to_dict()
    regions = read_kind(ws, "regions", columns=["code", "level", "parent_code"])
    county = sorted(regions.loc[(regions["level"] == "county")
                                & (regions["parent_code"] == "06"), "code"])[0]
    allocation.update(region_code=county)
    # the programme's records the demo keeps in some places only: a village proposed in
    # Gilan, a foreign partner checked for the agent's cluster
    proposal = read_kind(ws, "village_proposals").iloc[0].to_dict()
    villages = read_kind(ws, "regions", columns=["code", "level"])
    gilan_village = sorted(villages.loc[(villages["level"] == "village")
                                        & villages["code"].str.startswith("01"), "code"])[0]
    proposal.update(village_code=gilan_village, county_code=gilan_village[:4])
    check = read_kind(ws, "partner_verifications").iloc[0].to_dict()
    check.update(cluster_code=AGENT_CLUSTER, verification_id="VTEST")
    for kind, row in (("purchases", purchase), ("fund_allocations", allocation),
                      ("village_proposals", proposal), ("partner_verifications", check)):
        data.import_frame(ws, kind, pd.DataFrame([{k: None if v is None or v is pd.NA
                                                   or (isinstance(v, float) and v != v)
                                                   else str(v) for k, v in row.items()}]),
                          actor="test")


@pytest.fixture(scope="module")
def world(site):
    root, app = site
    with Workspace.open(root) as ws:
        _complete(ws)
        places = Places(ws)
        records = {k: read_kind(ws, k) for k in LOAD_ORDER}
        tokens = {u: new_token(ws, u, actor="test") for u in USERS}
    app.state.khooshe.access.refresh()
    return app, places, records, tokens


def _key(kind: str, rec: dict) -> str:
    return "|".join(str(rec[k]) for k in entity(kind).key)


def _pick(places: Places, records: dict, user: str, kind: str, where: str) -> dict:
    """The first record of ``kind`` in ``where`` for ``user``; a demo without one fails."""
    for rec in records[kind].to_dict("records"):
        if places.where(user, kind, rec) != where:
            continue
        if user != "admin" and where == "other" and kind not in matrix.REFERENCE:
            # another place means another province, not a neighbouring county or cluster
            if places.of(kind, rec)[0] == USERS[user][1]:
                continue
        return rec
    raise AssertionError(f"the demo has no {kind} record in the {where} place of {user}")


#: Kinds whose records lie in a province, never in a county: a county governor has none of
#: their records in its own place.
PROVINCE_LEVEL = {"committee_meetings", "committee_decisions", "support_problems",
                  "province_exports", "fund_commitments"}


def _cases() -> list[tuple[str, str, str]]:
    return [(u, k, w) for u in USERS for k in LOAD_ORDER
            for w in (("national",) if k in matrix.REFERENCE else ("own", "other"))
            if not (USERS[u][0] == "county_governor" and w == "own" and k in PROVINCE_LEVEL)]


CASES = _cases()


def test_the_matrix_over_http_has_its_size():
    reference = sum(1 for k in LOAD_ORDER if k in matrix.REFERENCE)
    governors = sum(1 for role, _ in USERS.values() if role == "county_governor")
    assert len(CASES) == (len(USERS) * (2 * (len(LOAD_ORDER) - reference) + reference)
                          - governors * len(PROVINCE_LEVEL))
    assert len(CASES) >= 156 and len(CASES) * len(HTTP_ACTIONS) >= 624


def _api(app, token):
    import warnings

    from fastapi.testclient import TestClient

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client = TestClient(app, raise_server_exceptions=False)
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def _body(rec: dict, kind: str) -> dict:
    out = {}
    for c in entity(kind).columns:
        v = rec.get(c.name)
        if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
            continue
        out[c.name] = v.item() if hasattr(v, "item") else v
    return out


@pytest.mark.parametrize("user", list(USERS))
def test_every_role_kind_place_and_action_over_http(world, user):
    app, places, records, tokens = world
    client = _api(app, tokens[user])
    role = USERS[user][0]
    wrong = []
    answers = 0
    for u, kind, where in CASES:
        if u != user:
            continue
        rec = _pick(places, records, user, kind, where)
        path = f"/api/v1/{kind}/{quote(_key(kind, rec), safe='')}"
        got = client.get(path)
        assert got.status_code in (200, 403), (path, got.status_code, got.text)
        version = got.json()["version"] if got.status_code == 200 else 1
        stale = version + 1000
        answer = {
            "read": got.status_code,
            "create": client.post(f"/api/v1/{kind}", json=_body(rec, kind)).status_code,
            "update": client.patch(path, json={"version": stale}).status_code,
            "delete": client.delete(path, params={"version": stale}).status_code,
        }
        for action, status in answer.items():
            answers += 1
            want = matrix.expected(role, action, kind, where)
            ok = (status == 200) if action == "read" else (status == 409)
            if status not in ((200, 403) if action == "read" else (409, 403)) or ok != want:
                wrong.append((kind, where, action, status, "allow" if want else "deny"))
    assert answers == 4 * sum(1 for c in CASES if c[0] == user)
    assert wrong == []


# --- Lists, searches, filters and exports hold exactly what may be read ----------------------
SCOPED = [u for u in USERS if u != "admin"]


def _readable(places: Places, records: dict, user: str, kind: str) -> set[str]:
    role = USERS[user][0]
    return {_key(kind, r) for r in records[kind].to_dict("records")
            if matrix.expected(role, "read", kind, places.where(user, kind, r))}


def _api_keys(client, kind: str, params: dict | None = None) -> set[str]:
    keys: set[str] = set()
    page = 1
    while True:
        r = client.get(f"/api/v1/{kind}", params={**(params or {}), "page": page, "per_page": 200})
        assert r.status_code == 200, r.text
        body = r.json()
        keys |= {_key(kind, item) for item in body["items"]}
        if page * 200 >= body["total"]:
            assert len(keys) == body["total"]
            return keys
        page += 1


def _html_keys(client, kind: str, params: dict | None = None) -> set[str]:
    keys: set[str] = set()
    page = 1
    link = re.compile(rf'<a href="/{kind}/([^"/]+)"><bdi>')
    while True:
        r = client.get(f"/{kind}", params={**(params or {}), "page": page, "per_page": 200})
        assert r.status_code == 200, r.text
        found = {unquote(k) for k in link.findall(r.text)}
        keys |= found
        if len(found) < 200:
            return keys
        page += 1


@pytest.mark.parametrize("user", SCOPED)
def test_lists_searches_filters_and_exports_hold_exactly_what_may_be_read(world, user):
    app, places, records, tokens = world
    api = _api(app, tokens[user])
    page = login(app, user)
    checked = 0
    for kind in LOAD_ORDER:
        if kind in matrix.REFERENCE:  # every account reads every record: the count suffices
            r = api.get(f"/api/v1/{kind}", params={"per_page": 1})
            assert r.json()["total"] == len(records[kind]), (user, kind)
            checked += 1
            continue
        readable = _readable(places, records, user, kind)
        everything = {_key(kind, r) for r in records[kind].to_dict("records")}
        if USERS[user][0] == "county_governor" and kind in PROVINCE_LEVEL:
            assert not readable and _api_keys(api, kind) == set(), (user, kind)
            checked += 1
            continue
        assert readable and readable != everything, (user, kind)
        assert _api_keys(api, kind) == readable, (user, kind, "API list")
        assert _html_keys(page, kind) == readable, (user, kind, "HTML list")
        # a search for the key of a readable record, and one for text every record holds
        mine = sorted(readable)[0]
        first = mine.split("|")[0]
        found = _api_keys(api, kind, {"q": first})
        assert found <= readable and (mine in found or entity(kind).column(
            entity(kind).key[0]).type != "code"), (user, kind, "API search")
        assert _html_keys(page, kind, {"q": first}) == found, (user, kind, "HTML search")
        # a filter on a choice: exactly the readable records with that value
        enums = [c.name for c in entity(kind).columns if c.type == "enum"]
        if enums:
            col = enums[0]
            frame = records[kind]
            value = str(frame.loc[frame[col].notna(), col].iloc[0])
            want = {_key(kind, r) for r in frame.to_dict("records")
                    if str(r[col]) == value} & readable
            assert _api_keys(api, kind, {col: value}) == want, (user, kind, "API filter")
            assert _html_keys(page, kind, {col: value}) == want, (user, kind, "HTML filter")
        # exports
        r = page.get(f"/{kind}/export.csv")
        assert r.status_code == 200
        rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
        assert {_key(kind, row) for row in rows} == readable, (user, kind, "CSV export")
        r = page.get(f"/{kind}/export.xlsx")
        assert r.status_code == 200
        sheet = pd.read_excel(io.BytesIO(r.content), dtype=str)
        assert {_key(kind, row) for row in sheet.to_dict("records")} == readable, (
            user, kind, "XLSX export")
        checked += 1
    assert checked == len(LOAD_ORDER)


# --- The programme's workflow endpoints (issue 14) -----------------------------------------
#: Each endpoint: (name, the kind and action the policy judges, province-wide?). A workflow
#: endpoint answers for one record or one province; the probes change nothing: a reading
#: answers 200 or 403; a writing is sent what the rules refuse *after* the policy allowed it
#: (a skipped stage, a rejection without a reason, an existing meeting's key, nothing to
#: change, a payment beyond the commitment, a report on a unit that is not half-finished),
#: so allowed is 422 or 409 and denied is 403.
WORKFLOWS = (
    ("stage", "clusters", "approve", False),
    ("timeline", "clusters", "read", False),
    ("village_decision", "village_proposals", "update", False),
    ("village_progress", "village_proposals", "read", True),
    ("meeting", "committee_meetings", "create", True),
    ("follow_up", "committee_decisions", "update", True),
    ("board", "committee_decisions", "read", True),
    ("balance", "fund_commitments", "read", True),
    ("pay", "fund_commitments", "update", True),
    ("unit_report", "unit_progress", "create", False),
)


def _workflow_probe(name: str, rec: dict, places: Places) -> tuple[str, str, dict, dict]:
    """(method, path, JSON body, query) of the probe of ``name`` on the record ``rec``."""
    from khooshe.domain.vocab import CLUSTER_STAGES

    province = places.of(_WORKFLOW_KIND[name], rec)[0]
    if name == "stage":
        here = CLUSTER_STAGES.index(rec["stage"])
        skip = CLUSTER_STAGES[(here + 2) % len(CLUSTER_STAGES)]
        return "POST", f"/api/v1/clusters/{rec['code']}/stage", {"stage": skip}, {}
    if name == "timeline":
        return "GET", f"/api/v1/clusters/{rec['code']}/timeline", {}, {}
    if name == "village_decision":
        return ("POST", f"/api/v1/village_proposals/{rec['village_code']}/decision",
                {"status": "rejected"}, {})
    if name == "village_progress":
        return "GET", "/api/v1/villages/progress", {}, {"province": province}
    if name == "meeting":
        return "POST", "/api/v1/committee/meetings", {
            "meeting_id": rec["meeting_id"], "province_code": rec["province_code"],
            "held_on": "1405/09/01"}, {}
    if name == "follow_up":
        return ("POST", f"/api/v1/committee/decisions/{rec['meeting_id']}/{rec['number']}",
                {}, {})
    if name == "board":
        return "GET", "/api/v1/committee/board", {}, {"province": province}
    if name == "balance":
        return "GET", "/api/v1/funds/balance", {}, {"province": province}
    if name == "pay":
        return ("POST", f"/api/v1/funds/commitments/{rec['commitment_id']}/disbursements",
                {"amount_rials": 10**17}, {})
    assert name == "unit_report"
    return "POST", f"/api/v1/units/{rec['id']}/reports", {"status": "completing"}, {}


_WORKFLOW_KIND = {name: (kind if name != "unit_report" else "establishments")
                  for name, kind, _, _ in WORKFLOWS}


def _workflow_record(places: Places, records: dict, user: str, name: str, where: str) -> dict:
    """A record to probe ``name`` on; a unit report goes to an establishment that is neither
    half-finished nor tracked (the rules refuse it once the policy allowed it)."""
    kind = _WORKFLOW_KIND[name]
    if name != "unit_report":
        return _pick(places, records, user, kind, where)
    tracked = set(records["unit_progress"]["establishment_id"].astype(str))
    frame = records["establishments"]
    frame = frame[(frame["status"] != "half_finished") & ~frame["id"].astype(str).isin(tracked)]
    return _pick(places, {"establishments": frame}, user, "establishments", where)


def _workflow_expected(user: str, name: str, kind: str, action: str, wide: bool,
                       where: str) -> bool:
    role = USERS[user][0]
    if role == "county_governor" and wide:
        return False  # a county governor's place is their county, never a whole province
    return matrix.expected(role, action, "unit_progress" if name == "unit_report" else kind,
                           where)


WORKFLOW_CASES = [(u, w[0], where) for u in USERS for w in WORKFLOWS for where in ("own", "other")
                  if not (USERS[u][0] == "county_governor" and where == "own" and w[3])]


def test_the_workflow_matrix_has_its_size():
    governors = sum(1 for role, _ in USERS.values() if role == "county_governor")
    wide = sum(1 for w in WORKFLOWS if w[3])
    assert len(WORKFLOW_CASES) == len(USERS) * len(WORKFLOWS) * 2 - governors * wide


@pytest.mark.parametrize("user", list(USERS))
def test_every_role_on_every_workflow_endpoint_over_http(world, user):
    app, places, records, tokens = world
    client = _api(app, tokens[user])
    spec = {w[0]: w for w in WORKFLOWS}
    wrong = []
    for u, name, where in WORKFLOW_CASES:
        if u != user:
            continue
        _, kind, action, wide = spec[name]
        rec = _workflow_record(places, records, user, name, where)
        method, path, body, query = _workflow_probe(name, rec, places)
        got = (client.get(path, params=query) if method == "GET"
               else client.post(path, json=body, params=query))
        want = _workflow_expected(user, name, kind, action, wide, where)
        allowed = {"GET": (200,), "POST": (409, 422)}[method]
        if got.status_code not in (*allowed, 403) or (got.status_code in allowed) != want:
            wrong.append((name, where, got.status_code, "allow" if want else "deny",
                          got.text[:160]))
    assert wrong == []
    # the probes changed nothing
    ws = app.state.khooshe.ws
    for kind in ("clusters", "cluster_stages", "village_proposals", "committee_meetings",
                 "committee_decisions", "fund_commitments", "unit_progress"):
        assert read_kind(ws, kind).equals(records[kind]), kind


def test_a_governor_answers_for_their_county_s_villages_only(world):
    """The governor's own place in the workflow matrix is real: a village of their county is
    theirs to decide (the rules then ask for a reason), one of the next county is not."""
    app, places, records, tokens = world
    client = _api(app, tokens["governor"])
    frame = records["village_proposals"]
    mine = frame[frame["county_code"] == places.governor_county].iloc[0]
    other = frame[(frame["county_code"] != places.governor_county)
                  & frame["county_code"].str.startswith("06")].iloc[0]
    for rec, status in ((mine, 422), (other, 403)):
        r = client.post(f"/api/v1/village_proposals/{rec['village_code']}/decision",
                        json={"status": "rejected"})
        assert r.status_code == status, r.text
