"""What the web accepts, a folder accepts: every text the web keeps and a folder or workbook
carries is held to the folder's limit (datafiles/schema.py) by the model, and so by every form
and the API; a commentary at the limit goes through a return, review and export and reads back
whole, and one character more is refused with the limit named."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.db import models as db_models

from kpiboard.datafiles import proposals as proposal_files
from kpiboard.datafiles import read_dataset, schema
from kpiboard.web.collection.models import Return, ReturnBreakdown, ReturnState
from kpiboard.web.proposals import models as proposal_models
from kpiboard.web.register import models as register
from kpiboard.web.register.transfer import export

#: Each text the web keeps, and the folder's column that carries it.
CARRIED: list[tuple[type[db_models.Model], str, schema.TableSpec, str]] = [
    (register.Indicator, "name", schema.INDICATORS, "name"),
    (register.Indicator, "description", schema.INDICATORS, "description"),
    (register.Indicator, "owner", schema.INDICATORS, "owner"),
    (register.Indicator, "unit_label", schema.INDICATORS, "unit_label"),
    (register.NeighbourValue, "area_code", schema.NEIGHBOURS, "area_code"),
    (register.NeighbourValue, "area_name", schema.NEIGHBOURS, "area_name"),
    (register.RemedialAction, "what", schema.ACTIONS, "action"),
    (register.RemedialAction, "who", schema.ACTIONS, "who"),
    (register.Committee, "code", schema.COMMITTEES, "id"),
    (register.Committee, "name", schema.COMMITTEES, "name"),
    (register.Directorate, "code", schema.DIRECTORATES, "id"),
    (register.Directorate, "name", schema.DIRECTORATES, "name"),
    (Return, "note", schema.OBSERVATIONS, "note"),
    (Return, "commentary", schema.COMMENTARY, "commentary"),
    (Return, "author", schema.COMMENTARY, "author"),
    (ReturnBreakdown, "group", schema.BREAKDOWNS, "group"),
    (ReturnBreakdown, "note", schema.BREAKDOWNS, "note"),
    (proposal_models.Proposal, "description", proposal_files.PROPOSALS, "description"),
    (proposal_models.Proposal, "rationale", proposal_files.PROPOSALS, "rationale"),
    (proposal_models.Proposal, "amendment", proposal_files.PROPOSALS, "amendment"),
    (
        proposal_models.Proposal,
        "amendment_reason",
        proposal_files.PROPOSALS,
        "amendment_reason",
    ),
    (proposal_models.ProposalComment, "comment", proposal_files.COMMENTS, "comment"),
    (proposal_models.ProposalComment, "response", proposal_files.COMMENTS, "response"),
]


@pytest.mark.parametrize(
    ("model", "field", "table", "column"),
    CARRIED,
    ids=[f"{m.__name__}.{f}" for m, f, _, _ in CARRIED],
)
def test_the_web_holds_each_text_to_the_folders_limit(
    model: type[db_models.Model], field: str, table: schema.TableSpec, column: str
) -> None:
    found = model._meta.get_field(field)
    assert isinstance(found, db_models.Field)
    kept = found.max_length
    assert kept is not None, f"{model.__name__}.{field} has no limit"
    assert kept <= table.column(column).max_length


pytestmark = pytest.mark.django_db

SUBMIT = "/api/v1/returns/182/2024-10"


def test_a_commentary_at_the_limit_reads_back_whole_and_one_more_is_refused(
    api_as: Any, tmp_path: Path
) -> None:
    owner = api_as("owner", "read-write")
    figure = {"numerator": "110", "denominator": "130"}
    limit = schema.COMMENTARY_LENGTH
    too_long = owner.post(
        SUBMIT, {**figure, "commentary": "x" * (limit + 1)}, content_type="application/json"
    )
    assert too_long.status_code == 422
    [error] = too_long.json()["errors"]
    assert error["field"] == "commentary"
    assert error["detail"] == "The commentary must be 20,000 characters or fewer: shorten it"
    # Lines and Markdown at the limit exactly: what an officer might paste.
    commentary = ("- **Staffing** improved in the quarter.\n" * limit)[: limit - 1] + "."
    assert len(commentary) == limit
    done = owner.post(SUBMIT, {**figure, "commentary": commentary}, content_type="application/json")
    assert done.status_code == 201, done.content
    item = Return.objects.get(indicator__ref="182", period="2024-10")
    item.state = ReturnState.APPROVED
    item.save()
    export(tmp_path / "data")
    back = read_dataset(tmp_path / "data")
    [kept] = [c for c in back.commentary.get("182", ()) if c.text == commentary]
    assert len(kept.text) == limit


def test_no_text_box_cuts_what_is_pasted_into_it(client_as: Any) -> None:
    """A box for long text carries no ``maxlength``, which would make the browser drop the end
    of a pasted commentary without a word; the server refuses it and says the limit instead."""
    page = client_as("owner").get("/returns/182/2024-10/").content.decode()
    boxes = re.findall(r"<textarea\b[^>]*>", page)
    assert any('name="commentary"' in box for box in boxes)
    assert not [box for box in boxes if "maxlength" in box]


def test_the_proposals_forms_take_the_models_limits() -> None:
    """The committee's comment, the officer's response and the reason for an amendment are held
    to what the model keeps (and so to the folder's columns), no tighter and no looser."""
    from kpiboard.web.proposals import forms as proposal_forms

    pairs = [
        (proposal_forms.CommentForm, "comment", proposal_models.ProposalComment),
        (proposal_forms.ResponseForm, "response", proposal_models.ProposalComment),
        (proposal_forms.DecisionForm, "amendment_reason", proposal_models.Proposal),
    ]
    for form, field, model in pairs:
        kept = model._meta.get_field(field)
        assert isinstance(kept, db_models.Field)
        assert form.base_fields[field].max_length == kept.max_length, field  # type: ignore[attr-defined]
