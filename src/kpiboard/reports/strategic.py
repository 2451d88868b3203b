"""The strategic scorecards' configuration (docs/proposals.md): organisation.toml's optional
``[strategic]`` table, kept in ``Organisation.extra`` and checked when the data is read
(:mod:`kpiboard.datafiles.strategic`).

.. code-block:: toml

    [strategic]
    report_to = "srp"            # the committee the Organisational Scorecard goes to, quarterly

    [strategic.directorates]     # each directorate's strategic scorecard, and the committee
    asc = "ahc"
    fin = "srp"

Report scopes: ``strategic`` is the Organisational Scorecard (every strategic indicator),
``strategic:<directorate>`` a directorate's strategic scorecard. The narrative of such a report
(a reports/ document) names its scope ``strategic`` or ``strategic-<directorate>``.

>>> from kpiboard.analysis.model import Organisation
>>> settings = strategic_settings(Organisation("Demo", extra={"strategic": {"report_to": "srp",
...     "directorates": {"asc": "ahc"}}}))
>>> settings.report_to, settings.committee_for("asc"), settings.committee_for("fin")
('srp', 'ahc', None)
>>> narrative_scope(None), narrative_scope("asc")
('strategic', 'strategic-asc')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kpiboard.analysis.evaluate import Evaluation
from kpiboard.analysis.model import Organisation

__all__ = [
    "ORGANISATIONAL_SCORECARD",
    "StrategicSettings",
    "narrative_scope",
    "scorecard_title",
    "strategic_scope",
    "strategic_settings",
]

ORGANISATIONAL_SCORECARD = "Organisational Scorecard"


@dataclass(frozen=True, slots=True)
class StrategicSettings:
    """``report_to``: the Organisational Scorecard's committee id (None: not configured);
    ``directorates``: each directorate's strategic scorecard's committee id, by directorate id."""

    report_to: str | None = None
    directorates: Mapping[str, str] = field(default_factory=dict)

    def committee_for(self, directorate: str | None) -> str | None:
        """The committee a strategic scorecard goes to: the organisation's (None) or a
        directorate's."""
        if directorate is None:
            return self.report_to
        return self.directorates.get(directorate)


def strategic_settings(organisation: Organisation) -> StrategicSettings:
    """The ``[strategic]`` table as read (anything not text is left out: the reader checks it)."""
    table = organisation.extra.get("strategic")
    if not isinstance(table, Mapping):
        return StrategicSettings()
    report_to = table.get("report_to")
    directorates = table.get("directorates")
    return StrategicSettings(
        report_to=report_to if isinstance(report_to, str) and report_to else None,
        directorates={
            str(key): value
            for key, value in (directorates.items() if isinstance(directorates, Mapping) else ())
            if isinstance(value, str) and value
        },
    )


def narrative_scope(directorate: str | None) -> str:
    """The scope a strategic scorecard's narrative document names."""
    return "strategic" if directorate is None else f"strategic-{directorate}"


def scorecard_title(organisation: Organisation, directorate: str | None) -> str:
    """ "Organisational Scorecard", or "Adults, Health and Commissioning strategic scorecard"."""
    if directorate is None:
        return ORGANISATIONAL_SCORECARD
    names = {d.id: d.name for d in organisation.directorates}
    return f"{names.get(directorate, directorate)} strategic scorecard"


def strategic_scope(evaluation: Evaluation) -> tuple[str, str, str | None]:
    """A strategic scorecard's settings key (``strategic``, ``strategic-asc``: the
    ``[report.<key>]`` table and the narrative's scope), its name, and the name of the committee
    it goes to by default (None when ``[strategic]`` names none)."""
    organisation = evaluation.organisation
    directorate = evaluation.directorate.id if evaluation.directorate is not None else None
    committee = strategic_settings(organisation).committee_for(directorate)
    names = {c.id: c.name for c in organisation.committees}
    return (
        narrative_scope(directorate),
        scorecard_title(organisation, directorate),
        names.get(committee) if committee is not None else None,
    )
