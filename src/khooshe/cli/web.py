"""``khooshe serve`` (the web app) and ``khooshe users`` (accounts of the web app and the API).
"""

from __future__ import annotations

from pathlib import Path

import typer

from khooshe.cli._common import (
    Texts,
    command_classes,
    current_actor,
    lang,
    open_workspace,
    say,
    text,
)
from khooshe.domain.vocab import label

ROLE_HELP = "national_admin, province_manager, county_governor, cluster_agent, viewer"


def register(app: typer.Typer, language: str) -> None:
    """Add ``serve`` and the ``users`` group to ``app``, their help in ``language``."""
    cls = command_classes(language)[1]
    h = Texts(language, "serve")

    @app.command("serve", help=h("help"), cls=cls)
    def serve_cmd(
        workspace: Path = typer.Argument(..., help=h.arg("workspace")),
        host: str = typer.Option("127.0.0.1", "--host", help=h.opt("host")),
        port: int = typer.Option(8000, "--port", help=h.opt("port")),
        threads: int = typer.Option(8, "--threads", min=1, max=256, help=h.opt("threads")),
    ) -> None:
        """Start the web app on the workspace."""
        import uvicorn

        from khooshe.web import create_app

        web = create_app(workspace, threads=threads)
        say("serving", url=f"http://{host}:{port}/")
        uvicorn.run(web, host=host, port=port, log_level="warning")

    users = typer.Typer(help=Texts(language, "users")("help"), cls=command_classes(language)[0],
                        no_args_is_help=True)
    app.add_typer(users, name="users")
    h = Texts(language, "users")

    @users.command("add", help=h("add"), cls=cls)
    def add_cmd(
        workspace: Path = typer.Argument(..., help=h.arg("workspace")),
        username: str = typer.Argument(..., help=h.arg("username")),
        role: str = typer.Option(..., "--role", help=h.opt("role", roles=ROLE_HELP)),
        province: str = typer.Option(None, "--province", help=h.opt("province")),
        county: str = typer.Option(None, "--county", help=h.opt("county")),
        cluster: list[str] = typer.Option(None, "--cluster", help=h.opt("cluster")),
        password_file: Path = typer.Option(None, "--password-file",
                                           help=h.opt("password_file")),
    ) -> None:
        from khooshe.services.users import add_user

        password = (password_file.read_text(encoding="utf-8").strip() if password_file
                    else None)
        with open_workspace(workspace) as ws:
            user, generated = add_user(ws, username, role, province=province, county=county,
                                       clusters=tuple(cluster or ()), password=password,
                                       actor=current_actor())
        say("user_added", name=user.username, role=label("role", user.role, lang()))
        if password is None:
            say("password_once", password=generated)

    @users.command("token", help=h("token"), cls=cls)
    def token_cmd(workspace: Path = typer.Argument(..., help=h.arg("workspace")),
                  username: str = typer.Argument(..., help=h.arg("username"))) -> None:
        from khooshe.services.users import new_token

        with open_workspace(workspace) as ws:
            token = new_token(ws, username, actor=current_actor())
        say("token_once", token=token)

    @users.command("list", help=h("list"), cls=cls)
    def list_cmd(workspace: Path = typer.Argument(..., help=h.arg("workspace"))) -> None:
        from khooshe.services.users import list_users

        with open_workspace(workspace) as ws:
            for u in list_users(ws):
                place = (u.county_code or u.province_code or ",".join(u.clusters)
                         or text("user_national"))
                say("user_row", name=u.username, role=label("role", u.role, lang()),
                    place=place, state=text("user_active" if u.active else "user_disabled_state"))

    @users.command("disable", help=h("disable"), cls=cls)
    def disable_cmd(workspace: Path = typer.Argument(..., help=h.arg("workspace")),
                    username: str = typer.Argument(..., help=h.arg("username"))) -> None:
        from khooshe.services.users import set_active

        with open_workspace(workspace) as ws:
            set_active(ws, username, False, actor=current_actor())
        say("user_disabled", name=username)

    @users.command("reset-password", help=h("reset"), cls=cls)
    def reset_cmd(workspace: Path = typer.Argument(..., help=h.arg("workspace")),
                  username: str = typer.Argument(..., help=h.arg("username"))) -> None:
        from khooshe.services.users import reset_password

        with open_workspace(workspace) as ws:
            password = reset_password(ws, username, actor=current_actor())
        say("password_once", password=password)
