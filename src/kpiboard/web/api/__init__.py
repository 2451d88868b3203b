"""The REST API at /api/v1/ (django-ninja) and the personal API tokens that open it, and the
OData feed, to scripts and other systems."""
