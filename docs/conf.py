"""The manual (Sphinx with MyST): ``scripts/docs`` builds it into build/docs/ (open build/docs/index.html, no server
needed); the tests build it with every warning an error, so a broken link or anchor fails CI."""

project = "classlab"
author = "the classlab team"
extensions = ["myst_parser"]
source_suffix = {".md": "markdown"}
myst_heading_anchors = 3  # links to a section of a page: page.md#its-heading, checked at build time
myst_enable_extensions = ["colon_fence"]
exclude_patterns = ["_build"]
html_theme = "furo"  # loads nothing from the network: the site works from disk, search included
html_title = "classlab manual"
html_static_path = []
