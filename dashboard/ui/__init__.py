"""Everything of the dashboard that calls Streamlit, below the page scripts in `views/`.

`chrome` (title, range and refresh pickers, target picker), `loading` (the one read-or-reason
helper and the cache lifetimes), `access` and `navigation` (sign-in gate, roles, pages), then
one module per page subject with that page's cached loaders and sections. Maths and figures
stay in the pure modules one level up (`dashboard/*.py`); import-linter keeps Streamlit out
of them.
"""
