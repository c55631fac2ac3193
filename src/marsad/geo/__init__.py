"""Gazetteer and geocoding: place recognition, disambiguation, precision codes."""

from marsad.geo.gazetteer import Gazetteer, GazetteerLike, MemoryGazetteer
from marsad.geo.geocode import Geocoder, debug_report
from marsad.geo.places import find_places, precision_for

__all__ = ["Gazetteer", "GazetteerLike", "Geocoder", "MemoryGazetteer", "debug_report", "find_places",
           "precision_for"]
