"""Speaker use cases, split by concern; import them from here.

- ``profiles``: speaker profiles with photos, the speakers of an episode and the
  lookups of those links;
- ``invitations``: an account for a speaker and the emailed way in;
- ``portal``: the speaker portal's figures, session pages and the speaker certificate;
- ``materials``: session materials and who may manage or download them.

Uploads arrive as ``(stream, filename)`` pairs, so the web form, the API and the tests
call the same functions without a request object.
"""

from .invitations import (
    Invitation,
    accept_invitation,
    invitation_for_token,
    invite_speaker,
    make_invitation_token,
    upcoming_sessions,
)
from .materials import (
    MATERIAL_KINDS,
    MAX_MATERIALS_PER_EPISODE,
    add_material,
    can_download_material,
    can_manage_material,
    delete_material,
    get_material,
    materials_for_episode,
)
from .portal import (
    MAX_COMMENTS,
    Portal,
    SessionDetail,
    SessionStats,
    SpeakerSession,
    evaluation_comments,
    portal_for,
    session_detail,
    session_stats,
    speaker_certificate,
)
from .profiles import (
    AUDIT_FIELDS,
    PHOTO_MAX_SIZE,
    Upload,
    account_states,
    add_speaker,
    create_speaker,
    delete_speaker,
    get_speaker,
    is_episode_speaker,
    session_counts,
    sessions_of_speaker,
    speaker_of_user,
    speaker_roles,
    speakers_query,
    update_speaker,
)

__all__ = [
    "AUDIT_FIELDS",
    "Invitation",
    "MATERIAL_KINDS",
    "MAX_COMMENTS",
    "MAX_MATERIALS_PER_EPISODE",
    "PHOTO_MAX_SIZE",
    "Portal",
    "SessionDetail",
    "SessionStats",
    "SpeakerSession",
    "Upload",
    "accept_invitation",
    "account_states",
    "add_material",
    "add_speaker",
    "can_download_material",
    "can_manage_material",
    "create_speaker",
    "delete_material",
    "delete_speaker",
    "evaluation_comments",
    "get_material",
    "get_speaker",
    "invitation_for_token",
    "invite_speaker",
    "is_episode_speaker",
    "make_invitation_token",
    "materials_for_episode",
    "portal_for",
    "session_counts",
    "session_detail",
    "session_stats",
    "sessions_of_speaker",
    "speaker_certificate",
    "speaker_of_user",
    "speaker_roles",
    "speakers_query",
    "upcoming_sessions",
    "update_speaker",
]
