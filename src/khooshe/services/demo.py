"""Build the synthetic demo workspace: generate, validate like any import, store in one go."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from khooshe.domain.schema import LOAD_ORDER, entity
from khooshe.domain.validate import validate
from khooshe.store import repository
from khooshe.store.repository import read_kind
from khooshe.store.workspace import CONFIG_NAME, Workspace, WorkspaceError

if TYPE_CHECKING:
    from rich.progress import Progress

DEMO_NAME = "khooshe demo (synthetic)"
#: Who the audit trail says built the demo.
DEMO_ACTOR = "demo"
#: The province whose county governors find villages proposed in the demo (Khuzestan).
DEMO_PROPOSALS = "06"


def build_demo(
    root: str | Path,
    *,
    seed: int = 0,
    scale: Literal["small", "national"] = "small",
    establishments: int | None = None,
    db: str | None = None,
    force: bool = False,
    progress: bool = False,
) -> Workspace:
    """Create (or with ``force`` refill) a workspace with synthetic Iran-like data.

    The generated tables go through the same validation as user imports, so the demo can never
    hold what a user could not import. Everything is written in one transaction.

    Parameters
    ----------
    root : path
        Workspace directory.
    seed : int
        The same seed gives the same workspace.
    scale : {"small", "national"}
        ``national`` has at least 60,000 villages and 100,000 establishments.
    establishments : int, optional
        A firm register of this many establishments (the scale's economy plus micro ones;
        :func:`khooshe.demo.generate`), e.g. 1,000,000 at ``national``.
    db : str, optional
        Database URL; SQLite inside the workspace by default.
    force : bool
        Replace the records of an existing workspace instead of refusing.
    progress : bool
        Show a progress bar on the terminal.
    """
    from khooshe.demo import generate
    from khooshe.demo.generate import GENERATED
    from khooshe.services.village_proposals import propose_villages

    root = Path(root)
    if (root / CONFIG_NAME).exists() and not force:
        raise WorkspaceError(f"{root} is already a workspace; use --force to rebuild the demo")
    if force and db is None:  # rebuilding keeps the workspace's own database
        db = Workspace.configured_url(root)
    ws = Workspace.create(root, db=db, name=DEMO_NAME, synthetic=True, exist_ok=force)

    frames = generate(seed=seed, scale=scale, establishments=establishments)
    typed = {}
    known: dict[str, set[str]] = {}
    steps = [("generate", None)] + [(k, "validate") for k in GENERATED] + [
        (k, "write") for k in GENERATED] + [("proposals", None)]
    with _progress(progress, len(steps)) as advance:
        advance("generated")
        for kind in GENERATED:
            ent = entity(kind)
            typed[kind] = validate(frames[kind], ent, known=known, source=f"demo:{kind}")
            for col in ent.key:
                known[f"{kind}.{col}"] = set(typed[kind][col].dropna())
            advance(f"validated {kind}")
        with ws.engine.begin() as conn:
            source = f"demo seed={seed} scale={scale}" + (
                "" if establishments is None else f" establishments={establishments}")
            for kind in reversed(LOAD_ORDER):
                repository.delete_all(conn, kind, actor=DEMO_ACTOR, source=source)
            for kind in GENERATED:
                repository.upsert(conn, kind, typed[kind], actor=DEMO_ACTOR, source=source,
                                  action="demo")
                advance(f"stored {kind}")
        # Khuzestan's county governors get khooshe's ten villages to decide on
        propose_villages(ws, DEMO_PROPOSALS, actor=DEMO_ACTOR)
        advance("proposed villages")
    ws.analyze()
    return ws


def demo_accounts(ws: Workspace) -> list[tuple[str, str, str]]:
    """One account per role on the demo, with generated passwords (returned once: shown to
    the person who built the demo, never stored in the clear): (user name, role, password).

    The province manager runs Khuzestan (06); the county governor one of its counties; the
    cluster development agent Gilan's tea cluster (or the first cluster); the viewer sees the
    whole country.
    """
    from khooshe.services.users import add_user, list_users, reset_password

    regions = read_kind(ws, "regions", columns=["code", "level", "parent_code"])
    county = sorted(regions.loc[(regions["level"] == "county")
                                & (regions["parent_code"] == "06"), "code"])[0]
    clusters = read_kind(ws, "clusters", columns=["code", "province_code", "isic"])
    tea = clusters[(clusters["province_code"] == "01") & (clusters["isic"] == "1079")]
    cluster = (tea if len(tea) else clusters)["code"].iloc[0]
    plan: tuple[tuple[str, str, dict[str, Any]], ...] = (  # name, role, add_user's place
        ("admin", "national_admin", {}),
        ("khuzestan", "province_manager", {"province": "06"}),
        ("governor", "county_governor", {"county": county}),
        ("agent", "cluster_agent", {"clusters": (cluster,)}),
        ("viewer", "viewer", {}))
    existing = {u.username for u in list_users(ws)}
    out = []
    for name, role, place in plan:
        if name in existing:  # a rebuilt demo (--force): new passwords for its accounts
            password = reset_password(ws, name, actor=DEMO_ACTOR)
        else:
            _, password = add_user(ws, name, role, actor=DEMO_ACTOR, **place)
        out.append((name, role, password))
    return out


class _progress:
    """A Rich progress bar, or nothing when not on a terminal or not wanted."""

    def __init__(self, enabled: bool, total: int):
        self.enabled = enabled
        self.total = total
        self._bar: Progress | None = None

    def __enter__(self):
        if self.enabled:
            from rich.progress import Progress

            bar = self._bar = Progress(transient=True)
            bar.start()
            task = bar.add_task("demo", total=self.total)

            def advance(label: str) -> None:
                bar.update(task, advance=1, description=label)

            return advance
        return lambda label: None

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
