import re
import unicodedata


def slugify(text: str) -> str:
    """"Citta Studi" -> "citta-studi"; stable, so seeded URLs never change between runs."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
