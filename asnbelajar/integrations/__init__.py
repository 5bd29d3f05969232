"""Connections to outside services run by the organizers (Zoom)."""
