"""Migrate the test provider's database and serve it on loopback.

python -m tests.sso.provider.serve --port 8765 --db /tmp/provider.sqlite3
"""

from __future__ import annotations

import argparse
import os


def _configure(db: str, port: int) -> None:
    # Forced rather than defaulted: the parent test process runs with the app's own settings
    # module, and the issuer has to name the port actually served.
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.sso.provider.settings"
    os.environ["TANDEM_TEST_OIDC_DB"] = db
    os.environ["TANDEM_TEST_OIDC_ISSUER"] = f"http://127.0.0.1:{port}/o"

    import django

    django.setup()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", required=True, help="path of the provider's SQLite database")
    args = parser.parse_args(argv)
    _configure(args.db, args.port)

    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from waitress import serve

    call_command("migrate", interactive=False, run_syncdb=True, verbosity=0)
    serve(get_wsgi_application(), host="127.0.0.1", port=args.port, threads=8, ident="test-oidc")


if __name__ == "__main__":
    main()
