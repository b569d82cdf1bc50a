"""The Flask app entry point.

``python server.py`` = ``kg serve`` with defaults: builds ``data/store`` from ``source/``
when it is missing, then serves on http://127.0.0.1:5000/ with waitress, guarded against slow
clients (kg/web/httpserver.py). For several processes behind a reverse proxy:
``gunicorn -c python:kg.web.gunicorn_conf -w 4 -b 127.0.0.1:5000 'server:create_app()'``
(settings from ``KG_*`` environment variables, see docs/serving.md and docs/safety.md).
"""

from __future__ import annotations

from kg.web import create_app

__all__ = ["create_app", "main"]


def main() -> None:
    """Serve with the settings' defaults (and ``KG_*`` variables), building the store if missing."""
    import os
    import sys
    from pathlib import Path

    from kg.cli.serve import serve

    here = Path(__file__).resolve().parent
    # Relative defaults mean "next to server.py", so it works from any working directory.
    os.environ.setdefault("KG_STORE", str(here / "data" / "store"))
    os.environ.setdefault("KG_SOURCE", str(here / "source"))
    serve.main(args=sys.argv[1:], prog_name="server.py", standalone_mode=True)


if __name__ == "__main__":
    main()
