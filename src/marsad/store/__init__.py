"""Persistent results: the SQLite store and resumable file outputs."""

from marsad.store.checkpoint import Checkpoint, done_path_for
from marsad.store.sqlite import Store, content_hash, default_db_path

__all__ = ["Checkpoint", "Store", "content_hash", "default_db_path", "done_path_for"]
