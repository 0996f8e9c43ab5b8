#!/usr/bin/env python3
"""Redraw docs/models.svg from the code: django-extensions' graph_models, then Graphviz.

    .venv/bin/python docs/models.py

Needs requirements-dev.txt (django-extensions) and Graphviz's `dot` (Debian: graphviz).
Every app of the clinic is drawn; the history tables (django-simple-history) are left
out, as each mirrors its record.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOT = ROOT / "docs" / "models.dot"
SVG = ROOT / "docs" / "models.svg"


def main(dot_path: Path = DOT, svg_path: Path = SVG) -> list[str]:
    """Write the graph of every clinic app to `dot_path` and render it to `svg_path`."""
    if shutil.which("dot") is None:
        sys.exit("Graphviz's `dot` is missing: apt-get install -y graphviz")
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    import django_extensions
    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import override_settings
    from django_extensions.management.commands.graph_models import Command as GraphModels

    labels = [c.label for c in apps.get_app_configs() if c.name.startswith("clinic.")]
    # A dev tool, not an installed app: only its templates and tags are lent while drawing.
    engine = settings.TEMPLATES[0]
    lent = {
        **engine,
        "DIRS": [*engine["DIRS"], Path(django_extensions.__file__).parent / "templates"],
        "OPTIONS": {
            **engine.get("OPTIONS", {}),
            "libraries": {"indent_text": "django_extensions.templatetags.indent_text"},
        },
    }
    with override_settings(TEMPLATES=[lent]):
        call_command(
            GraphModels(),
            *labels,
            output=str(dot_path),
            dot=True,
            group_models=True,
            exclude_models="Historical*",
        )
    # No timestamp in the committed file: it changes only when the models do.
    text = dot_path.read_text()
    dot_path.write_text("\n".join(ln for ln in text.splitlines() if "// Created:" not in ln) + "\n")
    subprocess.run(["dot", "-Tsvg", str(dot_path), "-o", str(svg_path)], check=True)
    return labels


if __name__ == "__main__":
    drawn = main()
    print(f"Wrote {DOT.relative_to(ROOT)} and {SVG.relative_to(ROOT)} ({', '.join(drawn)})")
