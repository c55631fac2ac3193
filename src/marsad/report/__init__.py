"""Analyst outputs over a store: filtered tables (``tables``), the offline HTML report (``html``)."""

from marsad.report.tables import EventFilter, admin1_by_month, format_table, load_items

__all__ = ["EventFilter", "admin1_by_month", "format_table", "load_items"]
