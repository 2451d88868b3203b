"""Password rules beyond Django's own validators: a strength estimate, and an upper bound.

Django's validators (``AUTH_PASSWORD_VALIDATORS`` in settings) refuse passwords shorter than 12
characters, the 20,000 commonest, all-digit ones and ones too like the person's name or address.
:class:`StrengthValidator` adds zxcvbn's estimate of how many guesses a password would take,
which catches what a list cannot: ``council20242`` is 12 characters and on no list, but a word
and a year, guessed in about 10⁶ tries (zxcvbn's score 2). A password needs a score of at least
3 (about 10⁸ guesses), and so does what is left of it without the person's name and address and
the site's name. It may have at most 128 characters (OWASP ASVS 2.1.2: at least 64 allowed,
longer refused; a longer one would also make the estimate slow).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from zxcvbn import zxcvbn

__all__ = ["MAX_LENGTH", "MIN_SCORE", "Strength", "StrengthValidator", "strength_of"]

MAX_LENGTH = 128
MIN_SCORE = 3
#: Words anyone attacking this site would try first, besides the person's own details.
SITE_WORDS = ("kpiboard", "performance", "council", "password")


def _personal_words(user: Any) -> list[str]:
    """The person's username, names and address, and the parts of the address, for zxcvbn to
    count as known to an attacker."""
    if user is None:
        return []
    words: list[str] = []
    for attribute in ("username", "first_name", "last_name", "email"):
        value = str(getattr(user, attribute, "") or "")
        if value:
            words.append(value)
    email = str(getattr(user, "email", "") or "")
    if "@" in email:
        local, _, domain = email.partition("@")
        words.extend([*local.replace("_", ".").split("."), *domain.split(".")])
    return [word for word in words if len(word) > 2]


class StrengthValidator:
    """Refuse a password zxcvbn scores below ``min_score`` (0 to 4), with zxcvbn's own advice as
    the message, and one longer than ``max_length`` characters."""

    def __init__(self, min_score: int = MIN_SCORE, max_length: int = MAX_LENGTH) -> None:
        self.min_score = min_score
        self.max_length = max_length

    def validate(self, password: str, user: Any = None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                f"This password is too long: it can have at most {self.max_length} characters.",
                code="password_too_long",
            )
        known = [*_personal_words(user), *SITE_WORDS]
        result = zxcvbn(password, user_inputs=known)
        if result["score"] >= self.min_score:
            self._not_mostly_known(password, known)
            return
        feedback = result.get("feedback") or {}
        advice = [str(feedback.get("warning") or "").strip()]
        advice.extend(str(line).strip() for line in feedback.get("suggestions") or [])
        advice = [line if line.endswith(".") else f"{line}." for line in advice if line]
        raise ValidationError(
            " ".join(["This password would be too easy to guess.", *advice]),
            code="password_too_guessable",
        )

    def _not_mostly_known(self, password: str, known: list[str]) -> None:
        """zxcvbn counts a name it was told of as one guess in a dictionary, so
        ``helen.ashworth2024`` scores 4; what is left without the known words must be strong
        enough on its own."""
        rest = password
        for word in sorted({word.lower() for word in known}, key=len, reverse=True):
            rest = re.sub(re.escape(word), "", rest, flags=re.IGNORECASE)
        if rest != password and zxcvbn(rest)["score"] < self.min_score:
            raise ValidationError(
                "This password would be too easy to guess: it is mostly your own name, username "
                "or email address, or the site's name. Add a few words that are not.",
                code="password_too_personal",
            )

    def get_help_text(self) -> str:
        return (
            "Your password must not be easy to guess: a few unrelated words together are "
            f"stronger than a word with numbers. At most {self.max_length} characters."
        )


@dataclass(frozen=True)
class Strength:
    """What the strength meter shows while a new password is typed (ASVS 2.1.8): a word, the
    GOV.UK tag colour for it, whether the password would be accepted, and what to do about it.
    Nothing in it repeats the password."""

    label: str
    colour: str
    accepted: bool
    advice: str


def strength_of(password: str, user: Any = None) -> Strength:
    """zxcvbn's score (0 to 4) in words, judged by every rule a new password must pass (the
    site's ``AUTH_PASSWORD_VALIDATORS``, this module's among them), so the meter never calls a
    password strong that would then be refused.

    >>> strength_of("council2024").label, strength_of("council2024").accepted
    ('Very weak', False)
    """
    if len(password) > MAX_LENGTH:
        return Strength(
            "Too long", "red", False, f"A password can have at most {MAX_LENGTH} characters."
        )
    score = int(zxcvbn(password, user_inputs=[*_personal_words(user), *SITE_WORDS])["score"])
    try:
        validate_password(password, user)
    except ValidationError as refused:
        label, colour = ("Very weak", "red") if score <= 1 else ("Weak", "orange")
        return Strength(label, colour, False, " ".join(refused.messages))
    if score >= 4:
        return Strength("Strong", "green", True, "This password is strong.")
    return Strength("Good", "turquoise", True, "This password is strong enough.")
