"""No module of minyi imports itself back through others (issue #11). The app layers are import-linter's
(`.importlinter`); this holds the modules inside an app too — e.g. the intake SMS task and its
sender, or the reports exports and the bulletin, which once imported each other."""

from __future__ import annotations

import grimp


def test_no_module_is_part_of_an_import_cycle():
    graph = grimp.build_graph("minyi", exclude_type_checking_imports=True)
    cycles = sorted(
        {
            tuple(sorted((importer, imported)))
            for importer in graph.modules
            for imported in graph.find_modules_directly_imported_by(importer)
            if imported != importer and graph.chain_exists(importer=imported, imported=importer)
        }
    )
    assert cycles == []
