"""The French catalogue of plural messages, kept in step with the code.

French is the source language, so no catalogue is needed to show a French text, except for
plurals: a message missing from every catalogue falls back to the English rule (`n != 1`),
which prints « 0 soutiens ». French says « 0 soutien » (`n > 1`). So every plural message of
the code, from `ngettext` and from `{% blocktranslate count %}`, is written to
locale/fr/LC_MESSAGES/django.po with its two forms as they are, under
`Plural-Forms: nplurals=2; plural=(n > 1);`. `manage.py plural_catalogue` writes that file
and its compiled django.mo (in Python, without GNU gettext); both files are committed, so
installing builds nothing.
"""

import ast
import re
import struct
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.utils.translation.template import templatize

# Where the project's own strings live (templates, and the Python of each app).
SOURCES = ("ideas", "juries", "rituals", "innovation", "templates")
TEMPLATE_SUFFIXES = (".html", ".txt")
CATALOGUE = Path("locale", "fr", "LC_MESSAGES", "django.po")
COMPILED = CATALOGUE.with_suffix(".mo")
_PLAIN = {"ngettext", "ngettext_lazy"}
_WITH_CONTEXT = {"npgettext", "npgettext_lazy"}
# templatize() turns a plural block into ` ngettext('…', '…', count) ` (npgettext with a
# context first), the form xgettext reads.
_TEMPLATE_CALL = re.compile(r" (ngettext|npgettext)\((.*?), count\) ")
METADATA = (
    "Project-Id-Version: Tremplin\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=UTF-8\n"
    "Content-Transfer-Encoding: 8bit\n"
    "Language: fr\n"
    "Plural-Forms: nplurals=2; plural=(n > 1);\n"
)


class Plural(NamedTuple):
    context: str
    singular: str
    plural: str


def _from_python(source: str, name: str) -> set[Plural]:
    found = set()
    for node in ast.walk(ast.parse(source, name)):
        if not isinstance(node, ast.Call):
            continue
        function = getattr(node.func, "id", None) or getattr(node.func, "attr", "")
        texts = [
            arg.value
            for arg in node.args
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
        ]
        if function in _PLAIN and len(texts) >= 2:
            found.add(Plural("", texts[0], texts[1]))
        elif function in _WITH_CONTEXT and len(texts) >= 3:
            found.add(Plural(texts[0], texts[1], texts[2]))
    return found


def _from_template(source: str) -> set[Plural]:
    found = set()
    for function, arguments in _TEMPLATE_CALL.findall(templatize(source)):
        texts = ast.literal_eval(f"({arguments},)")
        found.add(Plural("", *texts) if function == "ngettext" else Plural(*texts))
    return found


def plural_messages(root: Path | None = None) -> list[Plural]:
    """Every plural message of the code and the templates, sorted."""
    root = root or Path(settings.BASE_DIR)
    found: set[Plural] = set()
    for folder in SOURCES:
        for path in sorted((root / folder).rglob("*")):
            if path.suffix == ".py":
                found |= _from_python(path.read_text(encoding="utf-8"), str(path))
            elif path.suffix in TEMPLATE_SUFFIXES:
                found |= _from_template(path.read_text(encoding="utf-8"))
    return sorted(found)


def _quoted(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def catalogue_text(messages: list[Plural]) -> str:
    """The .po file: each message translated by itself, its two forms as written."""
    header = [
        "# Plural messages of Tremplin, written by `manage.py plural_catalogue`: do not edit.",
        "# French is the source language; this file only gives French its plural rule.",
        'msgid ""',
        'msgstr ""',
        *(_quoted(line + "\n") for line in METADATA.splitlines()),
    ]
    entries = ["\n".join(header) + "\n"]
    for message in messages:
        lines = [f"msgctxt {_quoted(message.context)}"] if message.context else []
        lines += [
            f"msgid {_quoted(message.singular)}",
            f"msgid_plural {_quoted(message.plural)}",
            f"msgstr[0] {_quoted(message.singular)}",
            f"msgstr[1] {_quoted(message.plural)}",
        ]
        entries.append("\n".join(lines) + "\n")
    return "\n".join(entries)


def compiled_catalogue(messages: list[Plural]) -> bytes:
    """The .mo file of the same messages (GNU format, as msgfmt writes it, without a hash
    table): a header, the table of originals, the table of translations, then the texts."""
    pairs = {"": METADATA}
    for message in messages:
        key = f"{message.singular}\0{message.plural}"
        pairs[f"{message.context}\x04{key}" if message.context else key] = key
    keys = sorted(pairs, key=lambda text: text.encode())
    originals = [key.encode() for key in keys]
    translations = [pairs[key].encode() for key in keys]
    count = len(keys)
    table_start = 7 * 4
    texts_start = table_start + 2 * 8 * count
    tables, texts = b"", b""
    for column in (originals, translations):
        for text in column:
            tables += struct.pack("<II", len(text), texts_start + len(texts))
            texts += text + b"\0"
    header = struct.pack(
        "<Iiiiiii", 0x950412DE, 0, count, table_start, table_start + 8 * count, 0, 0
    )
    return header + tables + texts
