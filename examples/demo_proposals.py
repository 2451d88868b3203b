"""The demo council's 2025/26 round of strategic KPIs (docs/proposals.md), written into
demo-council/proposals/ by build_demo_council.py.

Directorates propose strategic KPIs (SKPIs) in the round "Strategic KPIs for 2025/26", circulated
in the 2024/25 Q2 packs of the Strategy, Resources and Performance Committee (srp) and the Adults
and Health Committee (ahc), with comments from their November 2024 meetings. Three proposals
reuse indicators the register already holds (182, 186 and ASC5), so their packs show a baseline
figure; the others are new. SKPI-ASC-2 is still a draft, so no pack carries it. The officers'
names and every comment are fictional.
"""

from __future__ import annotations

import csv
from pathlib import Path

ROUND_COLUMNS = ["id", "name", "state", "circulate_in", "opened_on", "closed_on"]
PROPOSAL_COLUMNS = [
    "round", "ref", "name", "directorate", "unit", "direction", "frequency", "committees",
    "description", "rationale", "owner", "decimals", "target", "start", "ambitions",
    "national_definition", "state", "decided_by", "decided_on", "amendment", "amendment_reason",
]  # fmt: skip
COMMENT_COLUMNS = ["round", "ref", "committee", "meeting_date", "comment", "response"]

ROUND = "skpi-2025-26"
START = "2025/26 Q1"

ROUNDS = [
    {
        "id": ROUND,
        "name": "Strategic KPIs for 2025/26",
        "state": "open",
        "circulate_in": "2024/25 Q2",
        "opened_on": "2024-10-01",
    }
]


def _proposal(**cells: str) -> dict[str, str]:
    return {"round": ROUND, "start": START, "state": "proposed", **cells}


PROPOSALS = [
    _proposal(
        ref="ASC5",
        name="Outcome of short-term services: sequel to service",
        directorate="asc",
        unit="percent",
        direction="higher",
        frequency="year",
        committees="ahc",
        description="Percentage of people who received short-term services during the year "
        "(such as reablement) where the sequel was no ongoing support or support of a lower "
        "level (Oflog's ASC5).",
        rationale="Reablement is the first thing most people receive from adult social care; "
        "its success keeps people independent for longer and is the clearest measure of the "
        "'timely advice and support' the Strategic Framework promises.",
        owner="rachel.kinsella@example.gov.uk",
        decimals="1",
        target="88.0",
        ambitions="4;3",
        national_definition="true",
    ),
    _proposal(
        ref="SKPI-ASC-1",
        name="Percentage of Care Act assessments completed within 28 days of the request",
        directorate="asc",
        unit="percent",
        direction="higher",
        frequency="month",
        committees="ahc;srp",
        description="Care Act assessments of adults with care and support needs completed "
        "within 28 days of the request for support, as a percentage of those completed in "
        "the month.",
        rationale="Waiting times for assessment are the concern residents raise most often "
        "with members; a measure of timeliness shows whether the new front door is working.",
        owner="rachel.kinsella@example.gov.uk",
        decimals="1",
        target="70.0",
        ambitions="4",
        national_definition="false",
    ),
    _proposal(
        ref="SKPI-ASC-2",
        name="Number of people waiting for a Care Act assessment",
        directorate="asc",
        unit="number",
        direction="lower",
        frequency="month",
        committees="ahc",
        description="People waiting for a Care Act assessment at the end of the month.",
        rationale="Alongside SKPI-ASC-1, shows the size of the queue as well as its speed.",
        owner="rachel.kinsella@example.gov.uk",
        decimals="0",
        target="350",
        ambitions="4",
        national_definition="false",
        state="draft",
    ),
    _proposal(
        ref="182",
        name="Proportion of Freedom of Information requests responded to within statutory "
        "timescale",
        directorate="snp",
        unit="percent",
        direction="higher",
        frequency="month",
        committees="srp",
        description="Freedom of Information (FOI) and Environmental Information Regulations "
        "(EIR) requests answered within 20 working days, as a percentage of those due in the "
        "month.",
        rationale="Openness is a commitment of the Strategic Framework, and the Information "
        "Commissioner monitors councils that answer fewer than 90% of requests on time.",
        owner="helen.ashworth@example.gov.uk",
        decimals="1",
        target="90.0",
        ambitions="6",
        national_definition="false",
    ),
    _proposal(
        ref="SKPI-SNP-1",
        name="Percentage of residents satisfied with how the Council handled their contact",
        directorate="snp",
        unit="percent",
        direction="higher",
        frequency="quarter",
        committees="srp",
        description="Residents answering 'satisfied' or 'very satisfied' in the short survey "
        "sent after a contact with Customer Services is closed.",
        rationale="The Council measures how fast it answers but not whether residents felt "
        "helped; this adds their own view.",
        owner="daniel.okafor@example.gov.uk",
        decimals="1",
        target="75.0",
        ambitions="6",
        national_definition="false",
    ),
    _proposal(
        ref="186",
        name="Average working days lost to sickness absence per full-time equivalent "
        "(rolling 12 months)",
        directorate="fin",
        unit="days",
        direction="lower",
        frequency="month",
        committees="srp",
        description="Working days lost to sickness absence in the last 12 months divided by "
        "the average number of full-time equivalent employees (excluding schools).",
        rationale="Sickness absence is the workforce measure most closely linked to cost and "
        "capacity, and is reported by most county councils, so it can be compared.",
        owner="claire.pemberton@example.gov.uk",
        decimals="2",
        target="8.50",
        ambitions="6",
        national_definition="false",
    ),
    _proposal(
        ref="SKPI-FIN-1",
        name="Percentage of planned savings in the Medium Term Financial Strategy delivered",
        directorate="fin",
        unit="percent",
        direction="higher",
        frequency="quarter",
        committees="srp",
        description="Savings delivered to date in the financial year as a percentage of the "
        "savings planned for the year in the Business Plan.",
        rationale="Delivering the savings in the Business Plan is the condition of a balanced "
        "budget; a shortfall seen early can still be made good.",
        owner="sunita.rao@example.gov.uk",
        decimals="1",
        target="90.0",
        ambitions="6",
        national_definition="false",
    ),
]

COMMENTS = [
    {
        "ref": "ASC5",
        "committee": "ahc",
        "meeting_date": "2024-11-14",
        "comment": "Members welcomed a measure with a national definition, so that Cambridgeshire "
        "can be compared with its statistical neighbours, and asked why the target is below "
        "the results of 2015 to 2019.",
        "response": "The measure's population changed after 2019/20; 88% would place "
        "Cambridgeshire in the top quarter of its neighbours on the current definition.",
    },
    {
        "ref": "SKPI-ASC-1",
        "committee": "ahc",
        "meeting_date": "2024-11-14",
        "comment": "Members asked that the figures be shown by locality as well as for the county.",
        "response": "Agreed: the locality figures will be reported beside the county figure.",
    },
    {
        "ref": "182",
        "committee": "srp",
        "meeting_date": "2024-11-21",
        "comment": "Members asked whether the target should be 95%, as the best-performing "
        "councils achieve.",
        "response": "The Information Commissioner's expectation is 90%. Officers propose to keep "
        "90% for 2025/26 and to review it once the new case management system is in place.",
    },
    {
        "ref": "SKPI-FIN-1",
        "committee": "srp",
        "meeting_date": "2024-11-21",
        "comment": "Members asked that savings at risk be reported beside those delivered.",
        "response": "",
    },
]


def write(folder: Path) -> None:
    """proposals/rounds.csv, proposals.csv and comments.csv in the data folder ``folder``."""
    place = folder / "proposals"
    place.mkdir(exist_ok=True)
    comments = [{"round": ROUND, **row} for row in COMMENTS]
    for name, columns, rows in (
        ("rounds.csv", ROUND_COLUMNS, ROUNDS),
        ("proposals.csv", PROPOSAL_COLUMNS, PROPOSALS),
        ("comments.csv", COMMENT_COLUMNS, comments),
    ):
        with (place / name).open("w", encoding="utf-8", newline="") as file:
            writer = csv.DictWriter(file, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            for row in rows:
                writer.writerow({column: row.get(column, "") for column in columns})


#: organisation.toml's [strategic] table: the Organisational Scorecard goes to srp; each
#: directorate's strategic scorecard to the committee that oversees its services.
STRATEGIC_TOML = """# Strategic scorecards (docs/proposals.md): the Organisational Scorecard goes
# quarterly to the Strategy, Resources and Performance Committee; each directorate's
# strategic scorecard to the committee that oversees it.
[strategic]
report_to = "srp"

[strategic.directorates]
asc = "ahc"
snp = "srp"
fin = "srp"
cfe = "srp"
pnt = "srp"
"""

if __name__ == "__main__":
    write(Path(__file__).parent / "demo-council")
