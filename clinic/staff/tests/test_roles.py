"""The role groups in the database, clinic/staff/roles.py and docs/roles.md agree."""

import importlib
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.test import TestCase

from clinic.staff.roles import ROLE_PERMISSIONS, Role

DOC = Path(settings.BASE_DIR) / "docs" / "roles.md"


def _groups_in_database() -> dict[str, set[str]]:
    table = {}
    for group in Group.objects.prefetch_related("permissions__content_type"):
        table[group.name] = {
            f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()
        }
    return table


def _table_in_docs() -> dict[str, set[str]]:
    """The ✓ of each role's column in the permissions table of docs/roles.md."""
    lines = DOC.read_text().splitlines()
    header = next(line for line in lines if line.startswith("| Permission |"))
    columns = [c.strip() for c in header.strip("|").split("|")][2:]
    table = {name: set() for name in columns}
    for line in lines:
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        perm = cells[0].strip("`")
        for name, mark in zip(columns, cells[2:], strict=True):
            if mark == "✓":
                table[name].add(perm)
    return table


class RoleTableTests(TestCase):
    def test_the_migrations_made_the_groups_of_roles_py(self):
        """A change to roles.py without a migration fails here."""
        in_database = _groups_in_database()
        for role in Role:
            with self.subTest(role=role.label):
                self.assertEqual(in_database[role.label], set(ROLE_PERMISSIONS[role]))

    def test_the_frozen_migration_table_is_roles_py(self):
        migration = importlib.import_module("clinic.staff.migrations.0001_roles")
        self.assertEqual(
            {name: set(perms) for name, perms in migration.ROLES.items()},
            {role.label: set(ROLE_PERMISSIONS[role]) for role in Role},
        )

    def test_the_docs_show_the_same_table(self):
        self.assertEqual(
            _table_in_docs(), {role.label: set(ROLE_PERMISSIONS[role]) for role in Role}
        )

    def test_no_role_deletes_anything(self):
        for role, perms in ROLE_PERMISSIONS.items():
            with self.subTest(role=role):
                self.assertEqual([p for p in perms if ".delete_" in p], [])

    def test_the_front_desk_and_the_lab_read_no_clinical_notes(self):
        for role in (Role.FRONT_DESK, Role.LAB):
            with self.subTest(role=role):
                self.assertNotIn("records.view_consultation_notes", ROLE_PERMISSIONS[role])
                self.assertNotIn("records.view_consultation", ROLE_PERMISSIONS[role])
        self.assertNotIn("labs.view_labreport", ROLE_PERMISSIONS[Role.FRONT_DESK])
