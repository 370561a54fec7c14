"""What an import did, for people (text) and for scripts (`--format json`)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Note:
    path: str  # the file written (or the export) the note is about
    line: int | None
    title: str  # the post's title, so an editor finds it in the old site too
    message: str
    severity: str = "info"  # "info": done differently; "warning": needs a look


@dataclass
class ImportReport:
    source: str  # wordpress, hugo, jekyll
    export: str
    site: str
    counts: Counter[str] = field(default_factory=Counter)  # posts, pages, drafts, scheduled, media, ...
    conversions: Counter[str] = field(default_factory=Counter)  # caption, gallery, embed, block, ...
    skipped: Counter[str] = field(default_factory=Counter)  # why → how many
    files: Counter[str] = field(default_factory=Counter)  # outcome → how many
    notes: list[Note] = field(default_factory=list)
    menus: dict[str, list[str]] = field(default_factory=dict)  # menu → its items

    def note(self, path: str, line: int | None, title: str, message: str, severity: str = "info") -> None:
        self.notes.append(Note(path, line, title, message, severity))

    def to_json(self) -> str:
        data = {
            "format": "sitegen-import", "version": 1, "source": self.source, "export": self.export,
            "site": self.site, "counts": dict(sorted(self.counts.items())),
            "conversions": dict(sorted(self.conversions.items())), "skipped": dict(sorted(self.skipped.items())),
            "files": dict(sorted(self.files.items())), "menus": self.menus,
            "notes": [n.__dict__ for n in sorted(self.notes, key=_order)],
        }  # fmt: skip
        return json.dumps(data, ensure_ascii=False, indent=1)

    def to_text(self) -> str:
        lines = [f"Imported {self.export} ({self.source}) into {self.site}"]
        for title, counter in (("imported", self.counts), ("converted", self.conversions),
                               ("skipped", self.skipped), ("files", self.files)):  # fmt: skip
            if counter:
                lines.append(f"  {title}: " + ", ".join(f"{k} {v}" for k, v in sorted(counter.items())))
        for menu, items in self.menus.items():
            lines.append(f"  menu {menu!r} (not imported: make it a section or a template): {', '.join(items)}")
        for note in sorted(self.notes, key=_order):
            where = f"{note.path}:{note.line}" if note.line else note.path
            about = f" ({note.title})" if note.title else ""
            lines.append(f"{where}: {note.severity}: {note.message}{about}")
        return "\n".join(lines)


def _order(note: Note) -> tuple[str, int, str]:
    return (note.path, note.line or 0, note.message)
