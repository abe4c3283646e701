"""The dashboard below its page scripts: pure page maths and figures, and the Streamlit shell.

Modules at this level never import Streamlit (import-linter checks it): chart builders, alarm
tables, formats, time ranges, access rules, the users file, `/healthz`. They can be imported
and tested without a Streamlit runtime. `dashboard.ui` holds everything that calls `st.*`:
page chrome, sign-in and navigation, and each page's cached loaders and sections, which the
page scripts in `views/` call.
"""
