"""The data folder and workbook of formats.md: read, check, write.

>>> from kpiboard.datafiles import read_dataset, write_folder, write_workbook
>>> # dataset = read_dataset("examples/cambridgeshire")      # a folder ...
>>> # dataset = read_dataset("examples/cambridgeshire.xlsx")  # ... or a workbook

:func:`read_dataset` checks every file before building anything, and raises
:class:`DataFileError` listing every :class:`DataError` (file, row, column, the value found and what
was expected) when any is wrong. :func:`write_folder` and :func:`write_workbook` write a Dataset
back; reading what they wrote gives an equal Dataset.

Modules: ``schema`` (the columns of each file), ``tables`` (the column-spec validation engine),
``checks`` (checks across files), ``period_columns`` (period labels at each indicator's
frequency), ``organisation`` (organisation.toml), ``folder`` and ``workbook`` (reading the two
sources), ``read`` (the one checking path), ``build`` (the model), ``write`` (the folder writer),
``area_groups`` (a council's neighbour group file), ``national`` (Oflog and LG Inform files read
as neighbour values), ``national_rows`` (the checks and rows the national readers share),
``national_rank`` (every area ranked at once) and ``national_import`` (a national metric into
neighbours.csv, as ``kpiboard import-neighbours`` does).

>>> from kpiboard.datafiles import read_oflog
>>> # read_oflog("oflog_asc_all_las.csv", ref="ASC1", metric="ASC1")  # every area, every year
"""

from kpiboard.datafiles.area_groups import read_area_group
from kpiboard.datafiles.errors import DataError, DataFileError
from kpiboard.datafiles.national import (
    SourceFormat,
    read_lginform_csv,
    read_lginform_json,
    read_national,
    read_oflog,
    sniff_format,
)
from kpiboard.datafiles.national_import import (
    ImportSummary,
    NeighbourImportError,
    neighbours_import,
)
from kpiboard.datafiles.national_rank import rank_areas
from kpiboard.datafiles.read import read_dataset
from kpiboard.datafiles.workbook import write_workbook
from kpiboard.datafiles.write import write_folder

__all__ = [
    "DataError",
    "DataFileError",
    "ImportSummary",
    "NeighbourImportError",
    "SourceFormat",
    "neighbours_import",
    "rank_areas",
    "read_area_group",
    "read_dataset",
    "read_lginform_csv",
    "read_lginform_json",
    "read_national",
    "read_oflog",
    "sniff_format",
    "write_folder",
    "write_workbook",
]
