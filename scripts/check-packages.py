#!/usr/bin/env python3
"""Checks the packages in a folder (default artifacts/) as a public feed would before accepting them.

Every project under src/ that says <IsPackable>true</IsPackable> must have produced PackageId.VERSION.nupkg with:
a readme that is in the package, an SPDX licence expression, authors, a description, a repository link with
its commit, and a .snupkg holding a portable PDB, with SourceLink to that commit, for each assembly it ships.
Prints one line per problem and exits 1 if there is any.
"""
import pathlib, re, sys, zipfile
import xml.etree.ElementTree as ET

root = pathlib.Path(__file__).resolve().parent.parent
artifacts = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else root / "artifacts").resolve()
props = (root / "Directory.Build.props").read_text(encoding="utf-8")
version = re.search(r"<VersionPrefix>([^<]+)</VersionPrefix>", props).group(1)

expected = {}
for csproj in sorted((root / "src").glob("*/*.csproj")):
    text = csproj.read_text(encoding="utf-8")
    if "<IsPackable>true</IsPackable>" in text:
        m = re.search(r"<PackageId>([^<]+)</PackageId>", text)
        expected[m.group(1) if m else csproj.stem] = csproj
problems = []
if not expected:
    problems.append("no project under src/ is packable")

for package_id in expected:
    nupkg = artifacts / f"{package_id}.{version}.nupkg"
    snupkg = nupkg.with_suffix(".snupkg")
    if not nupkg.is_file():
        problems.append(f"{nupkg.name}: missing (run dotnet pack CiafMetadata.slnx -c Release -o {artifacts})")
        continue
    with zipfile.ZipFile(nupkg) as z:
        names = set(z.namelist())
        nuspec = ET.fromstring(z.read(f"{package_id}.nuspec"))
    ns = {"n": nuspec.tag[1:].split("}")[0]}
    meta = nuspec.find("n:metadata", ns)
    def field(name):
        el = meta.find(f"n:{name}", ns)
        return el
    readme = field("readme")
    if readme is None or readme.text not in names:
        problems.append(f"{nupkg.name}: no readme in the package")
    licence = field("license")
    if licence is None or licence.get("type") != "expression" or not licence.text:
        problems.append(f"{nupkg.name}: no SPDX licence expression")
    for name in ("authors", "description", "projectUrl", "tags"):
        el = field(name)
        if el is None or not (el.text or "").strip():
            problems.append(f"{nupkg.name}: no {name}")
    repo = field("repository")
    commit = repo.get("commit", "") if repo is not None else ""
    if repo is None or not repo.get("url", "").startswith("https://") or not re.fullmatch(r"[0-9a-f]{40}", commit):
        problems.append(f"{nupkg.name}: no repository URL with its commit (SourceLink)")
    assemblies = [n for n in names if re.match(r"(lib|tools)/[^/]+/(any/)?[^/]+\.dll$", n)]
    own = [n for n in assemblies if pathlib.PurePosixPath(n).stem.lower() in (package_id.lower(), "ciaf")]
    if not own:
        problems.append(f"{nupkg.name}: its own assembly is not in lib/ or tools/")
    if not snupkg.is_file():
        problems.append(f"{snupkg.name}: missing (symbols)")
        continue
    with zipfile.ZipFile(snupkg) as z:
        for dll in own:
            pdb = dll[:-4] + ".pdb"
            if pdb not in z.namelist():
                problems.append(f"{snupkg.name}: no {pdb}")
                continue
            data = z.read(pdb)
            if not data.startswith(b"BSJB"):
                problems.append(f"{snupkg.name}: {pdb} is not a portable PDB")
            if commit and f"/{commit}/".encode() not in data:
                problems.append(f"{snupkg.name}: {pdb} has no SourceLink to commit {commit}")

for p in problems:
    print(p)
print(f"{len(expected)} packages checked in {artifacts}: {'OK' if not problems else f'{len(problems)} problems'}")
sys.exit(1 if problems else 0)
