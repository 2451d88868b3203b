"""Workload generator: a data folder for a made-up organisation of any size.

    python benchmarks/generate.py OUT --indicators 1000 --months 120 --neighbours 15

Each indicator has ``months`` monthly observations ending in September 2024, a target from the
first year and a second from 2024/25, and, when ``neighbours`` > 0, values for the council's
statistical neighbours at quarterly frequency for every quarter the observations cover (1,000
indicators x 15 neighbours x 40 quarters = 600,000 neighbour rows). Deterministic: the same
arguments always write the same files.
"""

from __future__ import annotations

import argparse
import csv
import random
from pathlib import Path

from kpiboard.analysis.periods import Frequency, Period

AREA_CODE = "E10000003"
LAST_MONTH = Period.month(2024, 9)


def _organisation_toml(committees: int, directorates: int) -> str:
    lines = [
        'name = "Generated County Council"',
        f'area_code = "{AREA_CODE}"',
        "year_start_month = 4",
        "",
        "[tolerance]",
        'mode = "relative"',
        "red_at = 0.10",
        "blue_above = 0.05",
        "",
    ]
    for i in range(committees):
        lines += ["[[committees]]", f'id = "c{i}"', f'name = "Committee {i}"', ""]
    for i in range(directorates):
        lines += ["[[directorates]]", f'id = "d{i}"', f'name = "Directorate {i}"', ""]
    return "\n".join(lines)


def generate(out: Path, *, indicators: int, months: int, neighbours: int, seed: int = 2024) -> None:
    """Write the data folder to ``out`` (created if needed)."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    committees, directorates = max(1, indicators // 100), 5
    (out / "organisation.toml").write_text(_organisation_toml(committees, directorates))
    first = LAST_MONTH.shift(-(months - 1))
    quarters = sorted(
        {Period.containing(first.shift(i).start, Frequency.QUARTER) for i in range(months)}
    )
    with (
        (out / "indicators.csv").open("w", newline="") as ind_file,
        (out / "targets.csv").open("w", newline="") as target_file,
        (out / "observations.csv").open("w", newline="") as obs_file,
        (out / "neighbours.csv").open("w", newline="") as nb_file,
        (out / "commentary.csv").open("w", newline="") as com_file,
    ):
        ind = csv.writer(ind_file)
        ind.writerow(
            [
                "ref",
                "name",
                "unit",
                "decimals",
                "direction",
                "frequency",
                "aggregation",
                "category",
                "committees",
                "directorate",
                "national_definition",
            ]
        )
        tgt = csv.writer(target_file)
        tgt.writerow(["ref", "from", "target"])
        obs = csv.writer(obs_file)
        obs.writerow(["ref", "period", "value"])
        nbr = csv.writer(nb_file)
        nbr.writerow(["ref", "period", "area_code", "area_name", "value"])
        com = csv.writer(com_file)
        com.writerow(["ref", "period", "commentary", "author"])
        for n in range(indicators):
            ref = f"K{n:05d}"
            higher = rng.random() < 0.7
            level = rng.uniform(40, 90)
            slope = rng.uniform(-0.15, 0.15)
            ind.writerow(
                [
                    ref,
                    f"Generated indicator {n}",
                    "percent",
                    1,
                    "higher" if higher else "lower",
                    "month",
                    "mean",
                    "targeted",
                    f"c{n % committees}",
                    f"d{n % directorates}",
                    "true" if neighbours else "false",
                ]
            )
            tgt.writerow([ref, str(first.financial_year), f"{level:.1f}"])
            tgt.writerow([ref, "2024/25", f"{level * rng.uniform(0.9, 1.1):.1f}"])
            for i in range(months):
                value = min(100.0, max(0.0, level + slope * i + rng.gauss(0, 3)))
                obs.writerow([ref, str(first.shift(i)), f"{value:.1f}"])
            for quarter in quarters:
                for area in range(neighbours):
                    value = min(100.0, max(0.0, level + rng.gauss(0, 8)))
                    nbr.writerow(
                        [ref, str(quarter), f"E0600{area:04d}", f"Neighbour {area}", f"{value:.1f}"]
                    )
            com.writerow([ref, "2024/25 Q2", f"Commentary on {ref} for the quarter.", "Officer"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--indicators", type=int, default=1000)
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--neighbours", type=int, default=15)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    generate(
        args.out,
        indicators=args.indicators,
        months=args.months,
        neighbours=args.neighbours,
        seed=args.seed,
    )


if __name__ == "__main__":
    main()
