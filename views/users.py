"""Users (operators only): who may sign in to this dashboard, and with which role."""

from __future__ import annotations

import streamlit as st

from dashboard.ui.access import operator_only, session_viewer
from dashboard.ui.chrome import dashboard_config
from dashboard.user_changes import add_user_audited, remove_user_audited
from dashboard.users import ROLES, UsersFileError, load_users

st.title("Users")
if not operator_only("Managing users"):
    st.stop()
config = dashboard_config()
options = config.dashboard
path = options.users_file
database, acting = config.node.database_path, session_viewer().name
if options.auth == "oidc":
    st.info(
        "Sign-in uses OpenID Connect: operators are the e-mail addresses listed in "
        f"`[dashboard] oidc_operators` ({', '.join(options.oidc_operators) or 'none yet'}); "
        "everyone else who signs in is a viewer."
    )
    st.stop()
try:
    users = load_users(path)
except UsersFileError as error:
    st.error(str(error))
    st.stop()
st.caption(f"Users file `{path}` · passwords are stored as salted scrypt hashes only")
if users:
    st.dataframe(
        [{"user": user.name, "role": user.role} for user in users.values()],
        hide_index=True,
        width="content",
    )
else:
    st.info(
        "No users yet: the dashboard runs without sign-in on 127.0.0.1 only. The first user you "
        "add here (or with `pacing user add`) turns sign-in on for every new session."
    )

with st.form("add-user", clear_on_submit=True):
    st.subheader("Add or change a user")
    name = st.text_input("User name")
    role = st.selectbox("Role", ROLES, index=0)
    password = st.text_input("Password (8 characters or more)", type="password")
    replace = st.checkbox("Replace the user if it exists")
    if st.form_submit_button("Save user", type="primary"):
        try:
            note = add_user_audited(
                path, database, name, str(role), password, replace=replace, who=acting,
                source="dashboard",
            )  # fmt: skip
        except UsersFileError as error:
            st.error(str(error))
        else:
            st.success(f"User {name} saved as {role}.")
            if note:
                st.warning(note)

if users:
    with st.form("remove-user"):
        st.subheader("Remove a user")
        gone = st.selectbox("User", sorted(users))
        if st.form_submit_button("Remove user") and gone:
            try:
                note = remove_user_audited(
                    path, database, str(gone), who=acting, source="dashboard"
                )
            except UsersFileError as error:
                st.error(str(error))
            else:
                st.success(f"User {gone} removed.")
                if note:
                    st.warning(note)
