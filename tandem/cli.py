"""The `tandem` command: Tandem's own commands first, Django's behind them.

`tandem run`, `tandem demo`, `tandem createschool` and the rest are Django
management commands, so each has `--help` and the same code runs from
`manage.py`.
"""

from __future__ import annotations

import os
import sys

TANDEM_COMMANDS = {
    "run": "migrate, seed the demo if the database is empty, and serve on 127.0.0.1:8000",
    "demo": "build the demo trust (or a larger one for load work)",
    "createschool": "add a school and invite its first school admin",
    "democode": "print the current two-factor code of a demo sign-in (demo only)",
    "staffrole": "give or take away a school role as a named member of staff (never their own)",
    "import": "import pupils, SEN status, results or a CTF from a file into a school (preview, then apply)",
    "analyse": "find less than expected progress (Code 6.17) for a school, a trust or a CSV file",
    "sso": "set up, list or switch off a school's or trust's single sign-on (Entra ID, Google, OIDC)",
    "backup": "back up the whole database to the backup folder (encrypted if a passphrase is set)",
    "restore": "check a backup, then replace the whole database with it",
    "migrate": "create or update the database tables",
    "check": "check the configuration (add --deploy for production)",
}


def _overview() -> str:
    width = max(len(name) for name in TANDEM_COMMANDS)
    lines = ["usage: tandem <command> [options]", "", "Tandem commands:"]
    lines += [f"  {name.ljust(width)}  {text}" for name, text in TANDEM_COMMANDS.items()]
    lines += ["", "`tandem <command> --help` explains each one; `tandem help --all` lists every command."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args in (["--help"], ["-h"], ["help"]):
        print(_overview())
        return
    if args == ["help", "--all"]:
        args = ["help"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tandem.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["tandem", *args])


if __name__ == "__main__":
    main()
