"""``make cc-new``: write an asset contract project (Go, TypeScript or Java) and list it in the topology.

The templates (``templates/<language>/``, files ending in ``.tmpl``) hold ``__NAME__`` where the
chaincode name goes; nothing else is substituted, so a template is a project that builds as it is once
the name is filled in. The new entry is appended to the topology's ``chaincodes:`` list as text, so the
file's comments and layout stay as they were.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from fabdemo.network.topology import CHAINCODE_LANGUAGES, load_topology

TEMPLATES = Path(__file__).parent / "templates"
# Fabric's rule for chaincode names, kept lower case so it is also a valid npm, Maven and Go name.
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")
MAX_NAME = 32
GITIGNORE = "node_modules/\ndist/\ntarget/\n"


class ScaffoldError(ValueError):
    """A bad name, language or folder; nothing was written."""


@dataclass(frozen=True)
class Scaffolded:
    name: str
    language: str
    directory: Path
    files: list[Path]
    topology_entry_added: bool
    hint: str  # what to do next (or how to add the entry by hand)


def check_name(name: str) -> None:
    if not NAME_PATTERN.match(name) or len(name) > MAX_NAME:
        raise ScaffoldError(
            f"chaincode name {name!r} is not valid: use lower-case letters and digits, '-' or '_' between them, "
            f"starting with a letter, at most {MAX_NAME} characters (e.g. asset)"
        )


def render(language: str, name: str, target: Path) -> list[Path]:
    """Write the ``language`` template into ``target`` with ``name`` filled in; the files written."""
    root = TEMPLATES / language
    written = []
    for template in sorted(root.rglob("*.tmpl")):
        out = target / template.relative_to(root).with_suffix("")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(template.read_text(encoding="utf-8").replace("__NAME__", name), encoding="utf-8")
        written.append(out)
    (target / ".gitignore").write_text(GITIGNORE)
    return written


def topology_entry(name: str, source: str, language: str) -> str:
    return (
        f"  - name: {name}\n"
        f"    source: {source}\n"
        f"    language: {language}\n"
        '    endorsement_policy: ""  # empty: the channel default (a majority of the orgs)\n'
    )


def add_to_topology(topology_file: Path, name: str, source: str, language: str) -> bool:
    """Append the chaincode to ``chaincodes:``; False when the file has no such list (old form)."""
    text = topology_file.read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    listed = raw.get("chaincodes")
    if not isinstance(listed, list):
        return False
    if any(entry.get("name") == name for entry in listed):
        raise ScaffoldError(f"the topology already lists a chaincode named {name!r}")
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("chaincodes:"))
    end = start + 1
    last_item_line = start
    while end < len(lines):
        line = lines[end]
        if line.strip() and not line[0].isspace() and not line.startswith("#"):
            break  # the next top-level key
        if line.strip() and line[0].isspace():
            last_item_line = end
        end += 1
    insert_at = last_item_line + 1
    new_text = "".join(lines[:insert_at]) + topology_entry(name, source, language) + "".join(lines[insert_at:])
    topology_file.write_text(new_text, encoding="utf-8")
    try:
        load_topology(topology_file)  # the ports the new chaincode takes must be free
    except ValueError as err:
        topology_file.write_text(text, encoding="utf-8")
        raise ScaffoldError(f"the topology would not load with {name!r} added: {err}") from None
    return True


def scaffold(name: str, language: str, target: Path, topology_file: Path, repo_root: Path) -> Scaffolded:
    check_name(name)
    if language not in CHAINCODE_LANGUAGES:
        raise ScaffoldError(f"language {language!r} is not one of {', '.join(CHAINCODE_LANGUAGES)}")
    target = target.resolve()
    if target.exists() and any(target.iterdir()):
        raise ScaffoldError(f"{target} exists and is not empty; choose another DIR or remove it")
    try:
        source = str(target.relative_to(repo_root.resolve()))
    except ValueError:
        source = str(target)
    raw = yaml.safe_load(topology_file.read_text(encoding="utf-8"))
    if any(entry.get("name") == name for entry in raw.get("chaincodes") or [raw.get("chaincode") or {}]):
        raise ScaffoldError(f"the topology already lists a chaincode named {name!r}")
    files = render(language, name, target)
    added = add_to_topology(topology_file, name, source, language)
    if added:
        hint = f"Listed in {topology_file}. Next: make deploy-cc NAME={name}, then make cc-watch NAME={name}"
    else:
        hint = (
            f"{topology_file} uses the single `chaincode:` form; turn it into a `chaincodes:` list (the "
            f"provenance contract first) and add:\n{topology_entry(name, source, language)}"
        )
    return Scaffolded(name, language, target, files, added, hint)
