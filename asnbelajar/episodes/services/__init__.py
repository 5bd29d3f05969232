"""Episode use cases, split by concern; import them from here.

- ``episodes``: create, change, publish, cancel, the cover picture, lookups;
- ``checkpoints``: check-in checkpoints of an episode;
- ``series``: weekly series of drafts and the copy of an episode;
- ``stats``: the program page's figures.

Speakers of an episode are added by ``speakers.services.add_speaker``.
"""

from .checkpoints import (
    add_checkpoint,
    delete_checkpoint,
    get_checkpoint,
    update_checkpoint,
)
from .episodes import (
    CODE_ALPHABET,
    COVER_SIZE,
    DEFAULT_PROGRAM_SLUG,
    EPISODE_FIELDS,
    EpisodeChanges,
    cancel_episode,
    create_episode,
    default_jp,
    default_program,
    generate_code,
    get_episode,
    get_program,
    publish_episode,
    published_episodes,
    remove_cover_image,
    set_cover_image,
    update_episode,
)
from .series import (
    SERIES_MAX,
    SeriesItem,
    SeriesResult,
    create_series,
    duplicate_episode,
    next_free_number,
    plan_series,
    series_signature,
)
from .stats import (
    ProgramTotals,
    ProgramYear,
    program_totals,
    program_year_episodes,
    program_years,
)

__all__ = [
    "CODE_ALPHABET", "COVER_SIZE", "DEFAULT_PROGRAM_SLUG", "EPISODE_FIELDS", "SERIES_MAX",
    "EpisodeChanges", "ProgramTotals", "ProgramYear", "SeriesItem", "SeriesResult",
    "add_checkpoint", "cancel_episode", "create_episode", "create_series", "default_jp",
    "default_program", "delete_checkpoint", "duplicate_episode", "generate_code",
    "get_checkpoint", "get_episode", "get_program", "next_free_number", "plan_series",
    "program_totals", "program_year_episodes", "program_years", "publish_episode",
    "published_episodes", "remove_cover_image", "series_signature", "set_cover_image",
    "update_checkpoint", "update_episode",
]
