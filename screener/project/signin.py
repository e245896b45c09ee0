"""The façade's verbs for signing in to ``screener serve`` (see :mod:`screener.flows.signin`)."""

from __future__ import annotations

from screener.project._base import ProjectBase

__all__ = ["SignInVerbs"]


class SignInVerbs(ProjectBase):
    def invite(self, name: str, *, days: int | None = None) -> tuple[str, str]:
        """A one-time sign-in token for declared reviewer ``name``, valid ``days`` (default
        :data:`~screener.flows.signin.LINK_DAYS`): (name as declared, token). The review keeps
        only its hash."""
        from screener.flows import signin

        return signin.invite(self.db, name, days=signin.LINK_DAYS if days is None else days)

    def set_password(self, name: str, password: str) -> str:
        """Set declared reviewer ``name``'s password (stored as a salted scrypt hash); signs
        out their browsers. Returns the name as declared."""
        from screener.flows import signin

        return signin.set_password(self.db, name, password)

    def sign_in_with_link(self, token: str) -> tuple[str, str] | None:
        """Spend a one-time token: (reviewer, session id), or None when it is not valid."""
        from screener.flows import signin

        return signin.sign_in_with_link(self.db, token)

    def sign_in_with_password(self, name: str, password: str) -> tuple[str, str] | None:
        """(reviewer, session id) for the right password of a declared reviewer, else None."""
        from screener.flows import signin

        return signin.sign_in_with_password(self.db, name, password)

    def session_reviewer(self, session: str) -> str | None:
        """Who is signed in with ``session``, or None (unknown, expired or signed out)."""
        from screener.flows import signin

        return signin.session_reviewer(self.db, session)

    def sign_out(self, session: str) -> None:
        from screener.flows import signin

        signin.sign_out(self.db, session)
