"""What changed between two releases, in the terms a guideline author reads.

:mod:`.sources` turns a release folder, a snapshot in ``releases/``, a git revision of the
repository or the current data into a dataset; :mod:`.model` reads from it the entities an
author follows (kinds in ``kinds.toml``: claims, recommendations, criteria, criteria sets,
references, ambiguities) as labelled fields; :mod:`.compare` lists what was added, removed
and changed field by field; :mod:`.render` writes that as Markdown, JSON or HTML;
:mod:`.changelog` keeps the generated entry of ``CHANGELOG.md``; :mod:`.cli` is
``nelmkg diff`` and ``nelmkg changelog``.
"""
