"""The audit log (issue 14, finding 10): one table of who did what, when and from where, for the
administrators. ``records.record`` writes a row; ``signals`` records sign-ins and role changes by
themselves; the page is /audit/."""
