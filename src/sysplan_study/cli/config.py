"""`sysplan config`: every setting with its value and default; set or reset one."""

from __future__ import annotations

from typing import Optional

import typer

from sysplan_study.cli.app import Fmt, _opts, _print_json, app


@app.command("config")
def config_cmd(
    ctx: typer.Context,
    key: Optional[str] = typer.Argument(None, help="设置名，如 new-limit（setting name）"),
    value: Optional[str] = typer.Argument(None, help="新值；省略则显示当前值（new value）"),
    unset: bool = typer.Option(False, "--unset", help="恢复默认值（back to the default）"),
    format: Fmt = typer.Option(Fmt.table, "--format", "-f", help="table | json"),
) -> None:
    """查看或修改设置（环境变量优先）。  Example: sysplan config new-limit 30"""
    from sysplan_study.errors import UserError
    from sysplan_study.study import config

    o = _opts(ctx)
    if key is None:
        if unset or value is not None:
            raise UserError("--unset 需要设置名（name the setting）: sysplan config new-limit --unset")
        rows = config.listing(o.store(write=False))
        if format is Fmt.json:
            return _print_json(rows)
        width = max(len(k) for k in config.SETTINGS)
        for r in rows:
            s = config.SETTINGS[str(r["key"])]
            where = {"env": f"来自 {r['env']}，", "set": "已设置，", "default": ""}[str(r["source"])]
            typer.echo(f"{s.key:<{width}}  {s.show(r['value']):>5}  （{where}默认 {s.show(s.default)}）{s.help}")
        return
    s = config.setting(key)
    from sysplan_study.ui.progress import replay_bar

    if unset:
        with replay_bar() as progress:
            typer.echo(f"{key} 已恢复默认值 {s.show(config.unset(o.store(), key, progress))}")
    elif value is None:
        store = o.store(write=False)
        typer.echo(f"{key} = {s.show(config.get(store, key))}（默认 {s.show(s.default)}）")
    else:
        store = o.store()
        with replay_bar() as progress:
            new = config.put(store, key, value, progress)
        typer.echo(f"{key} = {s.show(new)}" + (
            f"；本次运行仍以环境变量 {s.env} 为准" if config.source_of(store, key) == "env" else ""))
