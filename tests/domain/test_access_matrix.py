"""The permission matrix: every role × action × kind × place (own scope, another scope, the
national level), each case with the answer the policy must give (issue 13).

The expected answers are written out here from the policy's text, independently of
:func:`khooshe.domain.access.allowed`, so a change of either shows up as a failure.
"""

from __future__ import annotations

import itertools

import pytest

from khooshe.domain.access import ACTIONS, ROLES, Principal, Scope, allowed, may_manage
from khooshe.domain.schema import LOAD_ORDER

OWN_PROVINCE, OTHER_PROVINCE = "06", "01"
OWN_COUNTY, OTHER_COUNTY = "0601", "0602"
OWN_CLUSTER, OTHER_CLUSTER = "CL06-01", "CL01-01"

PRINCIPALS = {
    "national_admin": Principal("admin", "national_admin"),
    "province_manager": Principal("manager", "province_manager", province=OWN_PROVINCE),
    "county_governor": Principal("governor", "county_governor", province=OWN_PROVINCE,
                                 county=OWN_COUNTY),
    "cluster_agent": Principal("agent", "cluster_agent", clusters=frozenset({OWN_CLUSTER}),
                               provinces=frozenset({OWN_PROVINCE})),
    "viewer": Principal("viewer", "viewer", province=OWN_PROVINCE),
}
REFERENCE = {"countries", "products", "trade_flows", "io_sectors", "io_flows", "funds"}
CLUSTER = {"clusters", "cluster_members", "cluster_activities", "cluster_indicators",
           "cluster_targets", "cluster_stages", "cluster_documents",
           "activity_participants", "partner_verifications"}
PLACE = set(LOAD_ORDER) - REFERENCE - CLUSTER


def scope(kind: str, where: str) -> Scope:
    """A record of ``kind`` in the principal's own place, another place, or national."""
    if where == "national" or kind in REFERENCE:
        return Scope.national()
    own = where == "own"
    return Scope(province=OWN_PROVINCE if own else OTHER_PROVINCE,
                 counties=frozenset({OWN_COUNTY if own else OTHER_COUNTY}),
                 cluster=(OWN_CLUSTER if own else OTHER_CLUSTER) if kind in CLUSTER else None)


def expected(role: str, action: str, kind: str, where: str) -> bool:
    if kind == "cluster_stages" and action in ("create", "update", "delete"):
        return False  # the stage history grows by approvals only
    if role == "national_admin":
        return True
    if action == "manage_users":
        return role == "province_manager" and where == "own" and kind not in REFERENCE
    if kind in REFERENCE or where == "national":
        return action == "read" and kind in REFERENCE  # a place kind without a place: no one
    own = where == "own"
    if role == "viewer":
        return action == "read" and own
    if role == "province_manager":
        if not own:
            return False
        return action == "read" or kind != "fund_allocations"
    if role == "county_governor":
        if not own:
            return False
        return action == "read" or (action in ("create", "update") and kind in {
            "regions", "parks", "establishments", "resources", "village_proposals"})
    if role == "cluster_agent":
        if kind in PLACE:
            return action == "read" and own
        if not own:
            return False
        if kind == "clusters":
            return action in ("read", "update")
        if kind in ("cluster_stages", "cluster_targets"):  # the province approves and sets
            return action == "read"
        return action in ("read", "create", "update", "delete")
    return False


CASES = list(itertools.product(ROLES, ACTIONS, LOAD_ORDER, ("own", "other", "national")))


def test_the_matrix_has_hundreds_of_cases():
    assert len(CASES) >= 1400


@pytest.mark.parametrize("role, action, kind, where", CASES)
def test_permission(role, action, kind, where):
    assert allowed(PRINCIPALS[role], action, kind, scope(kind, where)) == expected(
        role, action, kind, where)


def test_a_national_viewer_reads_everywhere_and_writes_nowhere():
    who = Principal("all", "viewer")
    for kind, where in itertools.product(LOAD_ORDER, ("own", "other", "national")):
        assert allowed(who, "read", kind, scope(kind, where))
        assert not any(allowed(who, a, kind, scope(kind, where)) for a in ACTIONS
                       if a != "read")


def test_unknown_roles_actions_and_kinds_are_denied():
    assert not allowed(Principal("x", "superuser"), "read", "clusters", scope("clusters", "own"))
    assert not allowed(PRINCIPALS["national_admin"], "publish", "clusters", Scope())
    assert not allowed(PRINCIPALS["province_manager"], "read", "secrets", scope("x", "own"))


def test_who_may_create_which_accounts():
    manager = PRINCIPALS["province_manager"]
    assert may_manage(PRINCIPALS["national_admin"], "national_admin", None)
    assert may_manage(manager, "county_governor", OWN_PROVINCE)
    assert not may_manage(manager, "province_manager", OWN_PROVINCE)
    assert not may_manage(manager, "viewer", OTHER_PROVINCE)
    assert not may_manage(PRINCIPALS["county_governor"], "viewer", OWN_PROVINCE)


def test_roles_are_a_vocabulary_with_labels():
    from khooshe.domain.vocab import USER_ROLES, VOCABULARIES, label

    assert USER_ROLES == ROLES and VOCABULARIES["role"] == ROLES
    assert label("role", "province_manager", "fa") == "مدیر استان"
    assert label("role", "county_governor", "en") == "county governor"
