"""The dashboard below its pages: Streamlit helpers, cached loaders and pure chart builders.

Modules without `st.*` (chart builders, page maths, access rules, the users file, `/healthz`)
can be imported and tested without a Streamlit runtime; the `ui*` modules hold the Streamlit
helpers the page scripts in `views/` call.
"""
