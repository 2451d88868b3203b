"""Accounts use Django's own User; roles are groups (see :mod:`kpiboard.web.accounts.roles`)."""
