"""Users, roles, participant profiles, agencies (instansi) and API tokens."""

from __future__ import annotations

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, func, text
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow

ROLES = ("participant", "speaker", "organizer")
# A NIP is self-declared until confirmed (SSO claim, an agency list, an organizer's review).
NIP_STATUSES = ("self_declared", "confirmed", "disputed")
EMPLOYEE_TYPES = ("pns", "pppk", "non_asn")


class User(UserMixin, db.Model):
    __tablename__ = "user"
    __table_args__ = (
        CheckConstraint("role IN ('participant', 'speaker', 'organizer')", name="role"),
        CheckConstraint("locale IN ('id', 'en')", name="locale"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased and trimmed (lookups compare the normalized address); the unique
    # index on lower(email) below keeps it one account per address in any letter case,
    # even for rows not written by the services.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="participant")
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str] = mapped_column(String(5), default="id")
    timezone: Mapped[str] = mapped_column(String(40), default="Asia/Jakarta")
    # Episode reminders (1 day and 1 hour before); the person may turn them off.
    reminders_enabled: Mapped[bool] = mapped_column(default=True, server_default=sa_true())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    anonymized_at: Mapped[datetime | None]
    # Set when the person followed a link sent to the address (verification, password
    # reset, invitation). Until then the account may learn and earn, but no speaker profile
    # or other role is ever linked to it (someone may have typed another person's address).
    email_verified_at: Mapped[datetime | None]
    # Part of the session cookie's user id (Flask-Login's alternative id): a new value ends
    # every session and remember-me cookie of the person (logout, password change, reset).
    session_token: Mapped[str | None] = mapped_column(String(32))

    profile: Mapped[ParticipantProfile | None] = relationship(
        back_populates="user", uselist=False, lazy="joined"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active and self.anonymized_at is None

    def get_id(self) -> str:  # Flask-Login: what the session and remember cookie carry
        return f"{self.id}:{self.session_token or ''}"

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_organizer(self) -> bool:
        return self.role == "organizer"

    @property
    def is_participant(self) -> bool:
        return self.role == "participant"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


Index("uq_user_email_lower", func.lower(User.email), unique=True)
# The registrant table sorted by name follows this index (migration e7c1a2b3d4f5).
Index("ix_user_full_name_lower", func.lower(User.full_name))


class Instansi(db.Model):
    """A government agency. Reference rows come from the shipped list; names typed by
    participants that are not in it are kept with ``is_reference = False`` so organizers
    can review and merge them."""

    __tablename__ = "instansi"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('kementerian', 'lembaga', 'provinsi', 'kabupaten', 'kota', 'lainnya')",
            name="kind",
        ),
        CheckConstraint("headcount IS NULL OR headcount >= 0", name="headcount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # Lower-cased name for case-insensitive lookup and search.
    name_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20), default="lainnya")
    code: Mapped[str | None] = mapped_column(String(20))
    province: Mapped[str | None] = mapped_column(String(60))
    is_reference: Mapped[bool] = mapped_column(default=False)
    headcount: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ParticipantProfile(db.Model):
    __tablename__ = "participant_profile"
    __table_args__ = (
        CheckConstraint(
            "employee_type IN ('pns', 'pppk', 'non_asn')", name="employee_type"
        ),
        # An ASN has an NIP; "umum" participants have none.
        CheckConstraint(
            "(employee_type = 'non_asn' AND nip IS NULL) OR "
            "(employee_type <> 'non_asn' AND nip IS NOT NULL) OR anonymized",
            name="nip_matches_type",
        ),
        CheckConstraint("gender IS NULL OR gender IN ('L', 'P')", name="gender"),
        CheckConstraint("nip_status IN ('self_declared', 'confirmed', 'disputed')",
                        name="nip_status"),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    nip: Mapped[str | None] = mapped_column(String(18), unique=True)
    employee_type: Mapped[str] = mapped_column(String(10), default="non_asn")
    nip_status: Mapped[str] = mapped_column(String(20), default="self_declared",
                                            server_default="self_declared")
    birth_date: Mapped[date | None]
    gender: Mapped[str | None] = mapped_column(String(1))
    instansi_id: Mapped[int | None] = mapped_column(ForeignKey("instansi.id"), index=True)
    instansi_name: Mapped[str | None] = mapped_column(String(200))
    unit_kerja: Mapped[str | None] = mapped_column(String(200))
    jabatan: Mapped[str | None] = mapped_column(String(200))
    pangkat_golongan: Mapped[str | None] = mapped_column(String(60))
    province: Mapped[str | None] = mapped_column(String(60), index=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    # When the person asked to get reminders and "certificate ready" on WhatsApp too (the
    # number above, then a valid Indonesian mobile); None: not asked or opted out.
    whatsapp_opt_in_at: Mapped[datetime | None]
    consent_version: Mapped[str | None] = mapped_column(String(20))
    consent_at: Mapped[datetime | None]
    anonymized: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(back_populates="profile")
    instansi: Mapped[Instansi | None] = relationship(lazy="joined")

    @property
    def is_complete(self) -> bool:
        """Enough to register with one click."""
        return bool(self.instansi_name and self.province and self.consent_at)


# The registrant table sorted by agency follows this index (migration e7c1a2b3d4f5).
Index("ix_participant_profile_instansi_lower", func.lower(ParticipantProfile.instansi_name))


class ApiToken(db.Model):
    """Bearer tokens for the JSON API; only a SHA-256 of the token is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="api")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Written at most once a minute per token (TOKEN_TOUCH_SECONDS): check-in stays lean.
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    # API_TOKEN_DAYS after issue; tokens issued before expiry existed have none and expire
    # API_TOKEN_DAYS after created_at.
    expires_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


class LoginThrottle(db.Model):
    """Failed logins per account (or per typed login when no account has it, so the answer
    never reveals whether one exists). After LOGIN_FREE_FAILURES failures each further
    attempt must wait twice as long as the previous one, up to LOGIN_MAX_DELAY_SECONDS:
    slow for a guesser, never a permanent lockout of the owner."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    blocked_until: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


NIP_DISPUTE_STATUSES = ("open", "upheld", "rejected")


class NipDispute(db.Model):
    """"This NIP is mine": someone says an NIP registered to an account is theirs. An
    organizer decides (audited); upheld takes the NIP off the account that held it."""

    __tablename__ = "nip_dispute"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'upheld', 'rejected')", name="status"),
        # One open dispute per NIP and claimant address: a resend changes nothing.
        Index("uq_nip_dispute_open", "nip", "claimant_email", unique=True,
              sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nip: Mapped[str] = mapped_column(String(18), index=True)
    holder_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"))
    claimant_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user.id", ondelete="SET NULL"))
    claimant_name: Mapped[str] = mapped_column(String(200))
    claimant_email: Mapped[str] = mapped_column(String(254))
    statement: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
