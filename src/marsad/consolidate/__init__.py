"""Consolidation: event reports of many documents -> incidents; duplicate documents -> one source.

``consolidate(store, doc_ids=None) -> ConsolidationResult`` is the library call (``marsad
consolidate``, ``marsad extract --db`` and ``marsad watch`` use it). Modules: ``similarity`` (pair
features, evidence TF-IDF), ``blocking`` (type, country, week), ``model`` (the merge decision),
``incidents`` (the incremental clustering and the incident record), ``duplicates`` (exact and
near-duplicate documents), ``export`` (incident rows), ``evaluate`` (against a consolidation gold).
"""

from marsad.consolidate.incidents import ConsolidationResult, consolidate

__all__ = ["ConsolidationResult", "consolidate"]
