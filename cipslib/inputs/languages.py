"""The languages cipslib writes in. A language is a catalogue file, ``<code>.yaml``, plus the
codebook's texts in that code; the set of languages is what the catalogue folders hold, and nothing
else names them.

The catalogues are those shipped in ``cipslib/text/catalogues/`` and those in the folders that the
environment variable ``CIPS_CATALOGUES`` names (separated like ``PATH``: ``:`` on Linux and macOS,
``;`` on Windows). A file in such a folder adds a language, or replaces the shipped file of the same
code (to reword a report for one administration). The folder is read when a language is looked
up, so a kernel started by ``cips render`` sees the same languages as the command.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..errors import CipsDataError, Problem

CATALOGUES_ENV = "CIPS_CATALOGUES"
"""The environment variable naming the user's catalogue folders."""

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*$")
"""What a language code looks like: ISO 639 (``en``, ``uk``, ``fr``), optionally with a region or
script (``pt_BR``, ``sr-Latn``). Only such keys of a codebook text are languages."""


@lru_cache(maxsize=1)
def shipped_catalogues() -> Path:
    """The folder of the catalogues that ship with cipslib."""
    return Path(str(resources.files("cipslib") / "text" / "catalogues"))


def user_catalogue_folders() -> list[Path]:
    """The folders ``CIPS_CATALOGUES`` names, in its order; a folder that does not exist is bad
    input."""
    value = os.environ.get(CATALOGUES_ENV, "")
    folders = [Path(p).expanduser() for p in value.split(os.pathsep) if p.strip()]
    missing = [p for p in folders if not p.is_dir()]
    if missing:
        raise CipsDataError(
            [
                Problem(
                    str(p),
                    f"{CATALOGUES_ENV} names a folder of language catalogues that does not exist",
                    expected="folders holding <language>.yaml files, e.g. "
                    f"{CATALOGUES_ENV}=$HOME/cips/catalogues",
                )
                for p in missing
            ]
        )
    return folders


def catalogue_folders() -> list[Path]:
    """Where catalogues are looked up, first match wins: the user's folders, then the shipped
    one."""
    return [*user_catalogue_folders(), shipped_catalogues()]


def catalogue_files() -> dict[str, Path]:
    """Every language with a catalogue, and its file (a user's file before the shipped one).

    Examples
    --------
    >>> sorted(catalogue_files())
    ['en', 'fr', 'uk']
    """
    # listed again only when a folder changes (a file added, removed or renamed)
    folders = tuple((str(f), f.stat().st_mtime_ns) for f in catalogue_folders())
    return dict(_catalogue_files(folders))


@lru_cache(maxsize=8)
def _catalogue_files(folders: tuple[tuple[str, int], ...]) -> tuple[tuple[str, Path], ...]:
    out: dict[str, Path] = {}
    for folder, _ in folders:
        for path in sorted(Path(folder).glob("*.yaml")):
            if LANGUAGE_CODE.match(path.stem):
                out.setdefault(path.stem, path)
    return tuple(sorted(out.items()))


def catalogue_languages() -> list[str]:
    """The languages a report can be written in, as far as the catalogues go (the codebook must
    give its texts in the language too).

    Examples
    --------
    >>> catalogue_languages()
    ['en', 'fr', 'uk']
    """
    return list(catalogue_files())


def where_catalogues_are() -> str:
    """The catalogue folders, as a message names them."""
    user = os.environ.get(CATALOGUES_ENV, "")
    return f"{shipped_catalogues()}" + (
        f" and {CATALOGUES_ENV}={user}" if user.strip() else f" ({CATALOGUES_ENV} is not set)"
    )


def language_problems(
    language: str,
    codebook_languages: tuple[str, ...] | list[str],
    file: str,
    codebook_file: str | None = None,
) -> list[Problem]:
    """Why a report cannot be written in ``language``: no catalogue (named at ``file``), or no
    wording of the codebook (named at ``codebook_file``, else ``file``); empty when it can.

    Examples
    --------
    >>> language_problems("en", ("en", "uk"), "params.yaml")
    []
    >>> print(language_problems("xx", ("en", "uk"), "params.yaml")[1].message)
    the codebook gives no 'xx' wording, so the report cannot be in 'xx'
    """
    out = []
    available = catalogue_languages()
    if language not in available:
        out.append(
            Problem(
                file,
                f"there is no language catalogue '{language}.yaml' for the report language",
                value=language,
                expected=f"one of {', '.join(available)} (catalogues in {where_catalogues_are()})",
            )
        )
    if language not in codebook_languages:
        out.append(
            Problem(
                codebook_file or file,
                f"the codebook gives no '{language}' wording, so the report cannot be in "
                f"'{language}'",
                expected="a language the codebook's texts are given in: "
                + ", ".join(codebook_languages),
            )
        )
    return out


def text_languages(texts) -> list[str]:
    """The language codes a set of texts (mappings of language to text) use, in the order they
    first appear; keys that are no language code (``note``) are not languages.

    Examples
    --------
    >>> text_languages([{"en": "a", "fr": "b"}, {"uk": "в", "note": "..."}, "one text"])
    ['en', 'fr', 'uk']
    """
    found: dict[str, None] = {}
    for text in texts:
        if isinstance(text, dict):
            found |= dict.fromkeys(k for k in text if isinstance(k, str) and LANGUAGE_CODE.match(k))
    return list(found)
