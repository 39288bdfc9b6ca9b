"""The command's settings, in one object: a flag given wins over its ``QUEUE_APP_*``
variable, which wins over the default.

Imported by a command when it runs, never by ``import queue_app.cli`` (pydantic takes a
while to import, and ``queue-app --help`` needs none of it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from queue_app.defaults import RETRY_FOR_S
from queue_app.domain.errors import N_

ENV_PREFIX = "QUEUE_APP_"
LANGS = ("zh", "en")


def _base_url(value: str) -> str:
    """``http(s)://host[:port][/path]``, without a trailing slash."""
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise ValueError("not an http(s) URL with a host")
    _ = parts.port  # a port that is not a number, or out of range, raises ValueError
    return value.strip().rstrip("/")


BaseUrl = Annotated[str, AfterValidator(_base_url)]


class Settings(BaseSettings):
    """Everything the command reads from its flags and the environment."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_ignore_empty=True, extra="ignore", frozen=True
    )

    lang: Literal["zh", "en"] = "zh"
    db: str | None = None
    hall: Path | None = None
    city: Path | None = None  # a city file: its halls served together
    catalog: Path | None = None
    server: BaseUrl | None = None
    user: str | None = None
    password: SecretStr | None = None
    staff_password: SecretStr | None = None
    actor: str = "cli"
    # the desk or kiosk of the hall file this terminal is (its slips print at its printer)
    station: str | None = Field(None, min_length=1, max_length=40)
    retry_for: float = Field(RETRY_FOR_S, ge=0, allow_inf_nan=False)
    host: str = "127.0.0.1"
    port: int | None = Field(None, ge=1, le=65535)
    public_url: BaseUrl | None = None
    cache_dir: Path | None = None  # parsed catalogs kept between runs (default: user's cache)
    # live-event streams the hall server keeps open: anonymous ones (display boards, status
    # pages) from one address and in all, and signed-in ones (the terminals)
    event_streams_per_address: int = Field(10, ge=1)
    event_streams: int = Field(200, ge=1)
    staff_event_streams: int = Field(1000, ge=1)
    # days a closed day's raw tickets and events are kept (its figures stay as rollups)
    keep_days: int = Field(400, ge=1, le=36500)


# What each setting expects, for the message when a value is bad (translated at the edge).
EXPECTED = {
    "lang": N_("zh or en"),
    "server": N_("a URL such as http://192.168.1.10:8600 (http:// or https:// and a host)"),
    "public_url": N_("a URL such as http://192.168.1.10:8600 (http:// or https:// and a host)"),
    "retry_for": N_("a number of seconds, 0 or more"),
    "port": N_("a port number from 1 to 65535"),
    "event_streams_per_address": N_("a whole number, 1 or more"),
    "event_streams": N_("a whole number, 1 or more"),
    "staff_event_streams": N_("a whole number, 1 or more"),
    "keep_days": N_("a whole number of days from 1 to 36500"),
    "station": N_("a station of the hall file, e.g. desk-1 (1 to 40 characters)"),
}
# Flags named otherwise than "--" + the setting's name with dashes
FLAGS = {"password": None, "staff_password": "--password"}


class BadSettings(Exception):
    """Flags or variables whose values the settings do not take: (flag or variable, what
    it expects, the value given) for each."""

    def __init__(self, problems: list[tuple[str, str, Any]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{s}: expected {e}; got {v!r}" for s, e, v in problems))


def flag_of(name: str) -> str | None:
    return FLAGS[name] if name in FLAGS else "--" + name.replace("_", "-")


def variable_of(name: str) -> str:
    return ENV_PREFIX + name.upper()


def load(flags: dict[str, Any]) -> Settings:
    """The settings: ``flags`` (those given; None means not given) over the environment
    over the defaults. A bad value raises ``BadSettings`` naming its flag or variable."""
    given = {k: v for k, v in flags.items() if v is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = str(error["loc"][0])
            source = flag_of(name) if name in given else None
            expected = EXPECTED.get(name, error["msg"])
            problems.append((source or variable_of(name), expected, error["input"]))
        raise BadSettings(problems) from None


def lang_of(flags: dict[str, Any], environ: dict[str, str]) -> str:
    """The language to speak in before the settings are loaded (a bad one: Chinese)."""
    lang = flags.get("lang") or environ.get(variable_of("lang")) or "zh"
    return lang if lang in LANGS else "zh"
