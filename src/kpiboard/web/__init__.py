"""The Django project: the system of record for a council's indicators, figures and reviews.

Only code under ``kpiboard.web`` imports Django. The app builds the engine's ``Dataset`` from the
database (:mod:`kpiboard.web.register.dataset`) and calls ``evaluate()``, so a status on a page is
the status ``kpiboard evaluate`` gives for an export of the same database.
"""
