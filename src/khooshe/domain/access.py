"""Who may do what, where: the one policy every request of the web app and the API obeys.

A :class:`Principal` (a signed-in user) has a role and a place. A record has a
:class:`Scope`: the province and counties it lies in and, for the cluster registry, its
cluster. :func:`allowed` decides an action on a kind in a scope, deny by default:

=================  ==========================================================================
role               may
=================  ==========================================================================
national_admin     everything everywhere, users included
province_manager   read, create, update, delete and approve the province's records (places and
                   the cluster registry); read national reference data; manage the accounts
                   of its province below its own role
county_governor    read the county's records and the clusters that span it; create and update
                   its villages, parks, establishments and resources; decide on the villages
                   proposed for clusters in it
cluster_agent      read and keep the registry of its clusters (members, activities,
                   indicators, documents; the cluster record itself except its stage, which
                   moves by approval only; its targets are the province's); read the places of
                   their provinces
viewer             read: everything (a national viewer) or one province's records
=================  ==========================================================================

National reference data (countries, products, trade, the input–output table, funds) is read by
everyone signed in and written by national administrators only; so are the allocations of funds
to provinces (a national decision).
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("national_admin", "province_manager", "county_governor", "cluster_agent", "viewer")
ACTIONS = ("read", "create", "update", "delete", "approve", "manage_users")
#: National data: no province scope; written by national administrators only.
REFERENCE_KINDS = ("countries", "products", "trade_flows", "io_sectors", "io_flows", "funds")
#: Records of a place (through a region code).
PLACE_KINDS = ("regions", "parks", "establishments", "resources", "fund_allocations",
               "purchases", "village_proposals", "committee_meetings", "committee_decisions",
               "support_problems", "province_exports", "fund_commitments", "unit_progress",
               "park_projects")
#: The cluster registry.
CLUSTER_KINDS = ("clusters", "cluster_members", "cluster_activities", "cluster_indicators",
                 "cluster_targets", "cluster_stages", "cluster_documents",
                 "activity_participants", "partner_verifications")
#: What a county governor keeps in its county.
GOVERNOR_WRITES = ("regions", "parks", "establishments", "resources", "village_proposals")
#: What a cluster agent keeps for its clusters.
AGENT_WRITES = ("cluster_members", "cluster_activities", "cluster_indicators",
                "cluster_documents", "activity_participants", "partner_verifications")
#: Kinds written by a workflow only, never record by record: a cluster's stage history grows
#: by approvals (``approve`` on the cluster), so no one creates, changes or deletes its
#: entries directly (importing past approvals from the command line stays possible).
WORKFLOW_KINDS = ("cluster_stages",)
#: Kinds only national administrators write even though they have a place.
NATIONAL_WRITES = ("fund_allocations",)


@dataclass(frozen=True)
class Scope:
    """Where a record is: its province, the counties it lies in or spans, its cluster.
    ``national()`` for reference data."""

    province: str | None = None
    counties: frozenset[str] = frozenset()
    cluster: str | None = None

    @classmethod
    def national(cls) -> Scope:
        return cls()


@dataclass(frozen=True)
class Principal:
    """A signed-in user: role, place and (for cluster agents) clusters and their provinces."""

    username: str
    role: str
    province: str | None = None
    county: str | None = None
    clusters: frozenset[str] = frozenset()
    #: provinces of a cluster agent's clusters (resolved when the user signs in)
    provinces: frozenset[str] = field(default_factory=frozenset)

    @property
    def national(self) -> bool:
        return self.role == "national_admin" or (self.role == "viewer"
                                                 and self.province is None)


def _kind_class(kind: str) -> str:
    if kind in REFERENCE_KINDS:
        return "reference"
    if kind in PLACE_KINDS:
        return "place"
    if kind in CLUSTER_KINDS:
        return "cluster"
    return "unknown"


def allowed(who: Principal, action: str, kind: str, scope: Scope) -> bool:
    """Whether ``who`` may do ``action`` on a record of ``kind`` in ``scope`` (deny by
    default: an unknown role, action or kind is refused)."""
    if action not in ACTIONS or who.role not in ROLES:
        return False
    if action == "manage_users":
        return who.role == "national_admin" or (who.role == "province_manager"
                                                and scope.province == who.province)
    cls = _kind_class(kind)
    if cls == "unknown":
        return False
    if kind in WORKFLOW_KINDS and action in ("create", "update", "delete"):
        return False
    if who.role == "national_admin":
        return True
    if cls == "reference":
        return action == "read"
    if who.role == "viewer":
        return action == "read" and (who.province is None or scope.province == who.province)
    if who.role == "province_manager":
        if scope.province != who.province or who.province is None:
            return False
        return action == "read" or kind not in NATIONAL_WRITES
    if who.role == "county_governor":
        inside = who.county is not None and who.county in scope.counties
        if action == "read":
            return inside
        return action in ("create", "update") and kind in GOVERNOR_WRITES and inside
    if who.role == "cluster_agent":
        if cls == "place":
            return action == "read" and scope.province in who.provinces
        mine = scope.cluster is not None and scope.cluster in who.clusters
        if action == "read":
            return mine
        if kind == "clusters":
            return mine and action == "update"
        return mine and action in ("create", "update", "delete") and kind in AGENT_WRITES
    return False


def may_manage(who: Principal, role: str, province: str | None) -> bool:
    """Whether ``who`` may create or change an account of ``role`` in ``province``: national
    administrators any; a province manager only roles below its own, in its province."""
    if who.role == "national_admin":
        return role in ROLES
    return (who.role == "province_manager" and province == who.province
            and role in ("county_governor", "cluster_agent", "viewer"))


__all__ = ["ACTIONS", "CLUSTER_KINDS", "PLACE_KINDS", "REFERENCE_KINDS", "ROLES",
           "WORKFLOW_KINDS", "Principal", "Scope", "allowed", "may_manage"]
