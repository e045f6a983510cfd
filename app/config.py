"""Settings, read once from the environment (and an optional .env file)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-only-secret-change-me"  # noqa: S105 - refused outside development


class Settings(BaseSettings):
    """Everything the portal needs to know about where it runs."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = f"sqlite:///{ROOT / 'var' / 'htxso.db'}"
    secret_key: str = DEV_SECRET
    # Connections per worker process. A request holds one at a time, so as many as the
    # thread pool has threads (40) means no request waits for one. On PostgreSQL, keep
    # workers × (pool + overflow) under the server's max_connections.
    database_pool_size: int = 40
    surveys_dir: Path = ROOT / "surveys"
    # Sessions: idle timeout resets on activity; the absolute one never does.
    session_idle_minutes: int = 120
    session_absolute_hours: int = 24 * 7
    default_locale: Literal["vi", "en"] = "vi"
    # The 2025 province `htxso init` loads with its communes and former districts (GSO code).
    province: str = "20"
    # Set when TLS terminates in front of the app, so cookies are Secure and HSTS is sent.
    https: bool = False
    # The quarterly report draft's letterhead (Nghị định 30/2020/NĐ-CP): the governing body,
    # the issuing body, the symbol after the number, and the place written before the date.
    report_governing_body: str = "UBND TỈNH LẠNG SƠN"
    report_issuer: str = "LIÊN MINH HỢP TÁC XÃ TỈNH LẠNG SƠN"
    report_symbol: str = "BC-LMHTX"
    report_place: str = "Lạng Sơn"
    # Addresses of the reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed
    # (comma-separated IPs or networks, e.g. "10.0.0.2" or "172.18.0.0/16"). Empty: nobody's,
    # so a client cannot choose the address the sign-in throttle and the audit log see.
    forwarded_allow_ips: str = ""

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> "Settings":
        if self.environment != "development" and (
            self.secret_key == DEV_SECRET or len(self.secret_key) < 32
        ):
            raise ValueError(
                "SECRET_KEY must be set to a random value of at least 32 characters outside "
                "development (for example: "
                "python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings."""
    return Settings()
