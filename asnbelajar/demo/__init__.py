"""Demo data: the 2022 season of ASN Belajar, this year's episodes and many participants.

``asnbelajar seed-demo`` calls :func:`seed_demo`. Small things (demo accounts, speakers,
episodes, checkpoints) go through the domain services, so they are validated and audited
like an organizer's work. Bulk rows (participants, registrations, check-ins, evaluations)
are multi-row INSERTs in chunks, with one password hash shared by every demo participant;
certificates and JP credits are never written here: each past episode is finalized with
:func:`~asnbelajar.attendance.services.finalize_episode`, exactly as in production.

Running it again adds nothing: every step skips what exists, and a finished seed leaves an
audit event (``demo.seed``) that makes a rerun return at once.
"""

from .logins import DEMO_LOGINS, DEMO_PASSWORD
from .seed import demo_counts, seed_demo

__all__ = ["DEMO_LOGINS", "DEMO_PASSWORD", "demo_counts", "seed_demo"]
