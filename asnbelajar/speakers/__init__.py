"""Speakers (narasumber): organizer CRUD, invitations, and the speaker portal."""
