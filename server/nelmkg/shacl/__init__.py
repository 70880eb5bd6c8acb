"""SHACL: the compiled Core engine, the pySHACL path, literal handling and reports.

Both engines take a shapes graph once and validate case after case, giving
:class:`nelmkg.shacl.report.Result` records; neither knows what the shapes mean.
"""
