#!/usr/bin/env python3
"""Every target's declared dependencies are imported by its sources, and every module its sources
import is declared (issue "No scripted results…": no unused target dependencies). Reads the package
with `swift package dump-package`; product names map to the module names they import."""
import json, os, re, subprocess, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
package = json.loads(subprocess.run(["swift", "package", "dump-package"], cwd=root, check=True,
                                    capture_output=True, text=True).stdout)
local = {t["name"] for t in package["targets"]}
# Modules of the platform and toolchain: never declared. (Lower-case names after "import" are the
# Python peers embedded in tests as strings.)
system = {"Foundation", "FoundationXML", "FoundationNetworking", "Dispatch", "Glibc", "Darwin", "Synchronization", "XCTest"}
problems = []
for target in package["targets"]:
    name, kind = target["name"], target["type"]
    if kind in ("system", "binary", "plugin"):
        continue
    path = target.get("path") or os.path.join("Tests" if kind == "test" else "Sources", name)
    imports = set()
    for folder, _, files in os.walk(os.path.join(root, path)):
        for file in files:
            if file.endswith(".swift"):
                with open(os.path.join(folder, file), encoding="utf-8") as handle:
                    imports |= set(re.findall(r"^\s*(?:@testable\s+|@_implementationOnly\s+)?import\s+([A-Z_]\w*)\s*$", handle.read(), re.M))
    declared = set()
    for dependency in target["dependencies"]:
        for key in ("byName", "target", "product"):
            if key in dependency:
                declared.add(dependency[key][0])
    for unused in sorted(declared - imports):
        problems.append(f"{name}: declares {unused} but no source imports it")
    for missing in sorted(imports - declared - system - {name}):
        problems.append(f"{name}: imports {missing} without declaring it")
for line in problems:
    print(line)
if problems:
    sys.exit(1)
print(f"dependencies: {len(package['targets'])} targets, every declared dependency imported and every import declared")
