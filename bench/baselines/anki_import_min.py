"""Baseline for `srs import` of an Anki package: Anki's own import (its backend), into a new
collection, with scheduling. argv: package, folder for the collection."""

import sys
from pathlib import Path

from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest

col = Collection(str(Path(sys.argv[2]) / "collection.anki2"))
options = ImportAnkiPackageOptions(with_scheduling=True)
log = col.import_anki_package(ImportAnkiPackageRequest(package_path=sys.argv[1], options=options))
print(len(log.log.new), col.db.scalar("SELECT count() FROM revlog"))
col.close()
