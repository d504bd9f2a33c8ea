"""Keys for spotting the same organisation applying twice, or applying when it
is already a member: a normalised name, the website's domain, the contact
e-mail's domain (unless it is a public mail provider)."""

import re
import unicodedata
from urllib.parse import urlsplit

PUBLIC_MAIL_DOMAINS = {
    "gmail.com",
    "googlemail.com",
    "hotmail.com",
    "hotmail.es",
    "hotmail.fr",
    "outlook.com",
    "outlook.es",
    "outlook.fr",
    "live.com",
    "yahoo.com",
    "yahoo.es",
    "yahoo.fr",
    "yahoo.com.mx",
    "icloud.com",
    "me.com",
    "aol.com",
    "proton.me",
    "protonmail.com",
    "gmx.com",
    "gmx.net",
    "orange.fr",
    "free.fr",
    "laposte.net",
    "prodigy.net.mx",
}


def name_key(name: str) -> str:
    """Without case, accents, punctuation or spaces: 'Cuidar, A.C.' -> 'cuidarac'."""
    text = unicodedata.normalize("NFKD", name or "").casefold()
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-z]+", "", text)


def fold(text: str) -> str:
    """Text for searching and ordering as people read it, in any of our languages:
    without case or accents, spaces collapsed ('Confederación  Sindical' ->
    'confederacion sindical', 'Ministère' sorts before 'Ministry')."""
    text = unicodedata.normalize("NFKD", text or "").casefold()
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.split())


def website_domain(url: str) -> str:
    if not url:
        return ""
    host = urlsplit(url if "//" in url else f"//{url}").hostname or ""
    return host.removeprefix("www.").lower()


def email_domain(address: str) -> str:
    domain = (address or "").rpartition("@")[2].strip().lower()
    return "" if domain in PUBLIC_MAIL_DOMAINS else domain
