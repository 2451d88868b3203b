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
sources), ``read`` (the one checking path), ``build`` (the model), ``write`` (the folder writer).
"""

from kpiboard.datafiles.errors import DataError, DataFileError
from kpiboard.datafiles.read import read_dataset
from kpiboard.datafiles.workbook import write_workbook
from kpiboard.datafiles.write import write_folder

__all__ = ["DataError", "DataFileError", "read_dataset", "write_folder", "write_workbook"]
