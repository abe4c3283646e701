"""Sign-in and roles in Streamlit: OIDC (`st.login`), the local users file, or none (a banner).

`current_viewer()` runs in app.py before the navigation, so every page is behind it; pages call
`operator_only()` around anything that acts (acknowledge, shelve, manage users).
"""

from __future__ import annotations

import streamlit as st

from config import Config
from dashboard.access import Viewer, oidc_role, resolve_auth
from dashboard.users import UsersFileError, load_users, verify_password

_SESSION_KEY = "pacing_viewer"
CURRENT_VIEWER_KEY = "pacing_current_viewer"  # set by app.py for every run


def oidc_configured() -> bool:
    """Whether `.streamlit/secrets.toml` has an `[auth]` section for `st.login`."""
    return st.secrets.load_if_toml_exists() and "auth" in st.secrets


def current_viewer(config: Config) -> Viewer | None:
    """The signed-in viewer, or None after drawing the sign-in (the caller then stops)."""
    options = config.dashboard
    auth = resolve_auth(options.auth, options.users_file.exists(), oidc_configured())
    if auth == "none":
        st.warning(
            "No sign-in is configured: everyone who can reach this page is an operator, so the "
            "server listens on 127.0.0.1 only. Add users with "
            "`pacing user add NAME --role operator` (or configure OpenID Connect) to require "
            "sign-in.",
            icon=":material/lock_open:",
        )
        return Viewer("local", "operator", "none")
    if auth == "oidc":
        return _oidc_viewer(config)
    return _local_viewer(config)


def _oidc_viewer(config: Config) -> Viewer | None:
    if not st.user.is_logged_in:
        st.title("Pacing Watch")
        st.info("Sign in with your organisation's account to see the dashboard.")
        provider = config.dashboard.oidc_provider
        if st.button("Sign in", type="primary", icon=":material/login:"):
            if provider:
                st.login(provider)
            else:
                st.login()
        return None
    email = st.user.get("email")
    name = str(email or st.user.get("name") or "signed-in user")
    return Viewer(
        name, oidc_role(str(email) if email else None, config.dashboard.oidc_operators), "oidc"
    )


def _local_viewer(config: Config) -> Viewer | None:
    viewer = st.session_state.get(_SESSION_KEY)
    if isinstance(viewer, Viewer):
        return viewer
    st.title("Pacing Watch")
    with st.form("sign-in"):
        st.subheader("Sign in")
        name = st.text_input("User name", autocomplete="username")
        password = st.text_input("Password", type="password", autocomplete="current-password")
        submitted = st.form_submit_button("Sign in", type="primary")
    if submitted:
        try:
            role = verify_password(load_users(config.dashboard.users_file), name, password)
        except UsersFileError as error:
            st.error(str(error))
            return None
        if role is None:
            st.error("Unknown user name or wrong password.")
            return None
        st.session_state[_SESSION_KEY] = Viewer(name, role, "local")
        st.rerun()
    return None


def sign_out() -> None:
    """Forget the session's viewer (local) or drop the identity cookie (OIDC)."""
    viewer = st.session_state.pop(_SESSION_KEY, None)
    if viewer is None and st.user.is_logged_in:
        st.logout()


def sidebar_identity(viewer: Viewer) -> None:
    """Who is signed in, with which role, and a sign-out button."""
    with st.sidebar:
        st.caption(f"Signed in as **{viewer.name}** · {viewer.role}")
        if viewer.auth != "none":
            st.button("Sign out", icon=":material/logout:", on_click=sign_out)


def session_viewer() -> Viewer:
    """The viewer app.py established for this run (pages read it; AppTest runs get none)."""
    viewer = st.session_state.get(CURRENT_VIEWER_KEY)
    return viewer if isinstance(viewer, Viewer) else Viewer("local", "viewer", "none")


def operator_only(what: str) -> bool:
    """True for operators; for viewers, a note that `what` needs the operator role."""
    if session_viewer().is_operator:
        return True
    st.info(f"{what} needs the operator role; you are signed in as a viewer.")
    return False
