"""Report packs: the committee paper and its appendix as HTML, PDF, Word and Excel."""

#: The formats a pack can be written in, in the order they are listed and written. Here rather
#: than in :mod:`kpiboard.reports.pack` so that the command line can check ``--formats`` before
#: it imports the engine or forks the PDF's process.
FORMATS = ("html", "pdf", "docx", "xlsx")
