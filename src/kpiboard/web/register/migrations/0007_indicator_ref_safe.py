"""Indicator refs safe everywhere (issue 14, finding 6): the check constraint indicator_ref_safe.

A register may already hold a ref the constraint refuses (``Z/1`` was accepted by the form, and
from then on made /register/ fail). Adding the constraint over such a row would fail with a bare
IntegrityError, so the migration first looks, and stops with a message naming every such ref and
how to change it; nothing is changed until they are all safe.

The rule is written out here, as it stands today, so that the migration means the same thing
whatever kpiboard.datafiles.refs says later.
"""

import re

from django.core.management.base import CommandError
from django.db import migrations, models

import kpiboard.web.register.models

_PATTERN = "^[A-Za-z0-9._-]{1,20}$"
_SAFE = re.compile(r"[A-Za-z0-9._-]{1,20}")
_RESERVED = (".", "..", "new", "import", "export")


def unsafe_refs(refs):
    """The refs, of those given, that the constraint refuses, sorted."""
    return sorted(ref for ref in refs if not _SAFE.fullmatch(ref) or ref in _RESERVED)


def suggestion(ref, taken):
    """A safe ref to offer in place of ``ref``: what is not allowed becomes ``-``."""
    base = re.sub(r"[^A-Za-z0-9._-]", "-", ref)[:20].strip(".") or "ref"
    if base in _RESERVED:
        base = f"{base}-1"
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base[: 20 - len(str(number)) - 1]}-{number}"
    taken.add(candidate)
    return candidate


def refuse_unsafe_refs(apps, schema_editor):
    Indicator = apps.get_model("register", "Indicator")
    rows = list(
        Indicator.objects.using(schema_editor.connection.alias)
        .order_by("ref")
        .values_list("pk", "ref")
    )
    unsafe = set(unsafe_refs(ref for _, ref in rows))
    if not unsafe:
        return
    taken = {ref for _, ref in rows}
    lines = [
        f"  {ref!r} (id {pk}): for example {suggestion(ref, taken)!r}"
        for pk, ref in rows
        if ref in unsafe
    ]
    raise CommandError(
        f"{len(unsafe)} indicator ref{'s' if len(unsafe) != 1 else ''} in the register "
        "cannot be kept. A ref must now be 1 to 20 letters, digits, dots, hyphens or "
        f"underscores ({_PATTERN}), other than ., .., new, import and export, so that every "
        "page can link to it:\n"
        + "\n".join(lines)
        + "\nNothing has been changed. Give each a new ref, for example with\n"
        '  kpiboard shell -c "from kpiboard.web.register.models import Indicator; '
        "i = Indicator.objects.get(pk=ID); i.ref = 'NEW'; i.save()\"\n"
        "then run kpiboard migrate again."
    )


class Migration(migrations.Migration):
    dependencies = [
        ("register", "0006_staged_upload"),
    ]

    operations = [
        migrations.RunPython(refuse_unsafe_refs, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="historicalindicator",
            name="ref",
            field=models.CharField(
                db_index=True,
                help_text="Up to 20 letters, digits, dots, hyphens or underscores, such as 182 or ASC-1.2",
                max_length=50,
                validators=[kpiboard.web.register.models.validate_ref],
            ),
        ),
        migrations.AlterField(
            model_name="indicator",
            name="ref",
            field=models.CharField(
                help_text="Up to 20 letters, digits, dots, hyphens or underscores, such as 182 or ASC-1.2",
                max_length=50,
                unique=True,
                validators=[kpiboard.web.register.models.validate_ref],
            ),
        ),
        migrations.AddConstraint(
            model_name="indicator",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("ref__regex", "\\A[A-Za-z0-9._-]{1,20}\\Z"),
                    models.Q(("ref__in", (".", "..", "new", "import", "export")), _negated=True),
                ),
                name="indicator_ref_safe",
                violation_error_message="Enter a ref such as 182: up to 20 letters, digits, dots, hyphens or underscores",
            ),
        ),
    ]
