"""Users (operators only): who may sign in to this dashboard, and with which role."""

from __future__ import annotations

import streamlit as st

from dashboard.ui.access import operator_only
from dashboard.ui.chrome import dashboard_config
from dashboard.users import ROLES, UsersFileError, add_user, load_users, remove_user

st.title("Users")
if not operator_only("Managing users"):
    st.stop()
config = dashboard_config()
options = config.dashboard
path = options.users_file
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
            add_user(path, name, str(role), password, replace=replace)
        except UsersFileError as error:
            st.error(str(error))
        else:
            st.success(f"User {name} saved as {role}.")

if users:
    with st.form("remove-user"):
        st.subheader("Remove a user")
        gone = st.selectbox("User", sorted(users))
        if st.form_submit_button("Remove user") and gone:
            try:
                remove_user(path, str(gone))
            except UsersFileError as error:
                st.error(str(error))
            else:
                st.success(f"User {gone} removed.")
