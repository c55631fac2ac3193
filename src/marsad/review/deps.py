"""What every route of the desk shares: the current user, role checks, the CSRF check of a
POST and rendering a template with the user and the CSRF token."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Body, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse

from marsad.review.auth import CSRF_COOKIE, SESSION_COOKIE, Auth, User
from marsad.review.db import Desk


class LoginRequired(Exception):
    """Raised by a page that needs a user; the app answers with a redirect to /login."""


def desk_of(request: Request) -> Desk:
    return request.app.state.desk


def auth_of(request: Request) -> Auth:
    return request.app.state.auth


def current_user(request: Request) -> User | None:
    cached = getattr(request.state, "user", False)
    if cached is not False:
        return cached
    user = auth_of(request).user(request.cookies.get(SESSION_COOKIE))
    request.state.user = user
    return user


def require(role: str):  # type: ignore[no-untyped-def]
    """A dependency: the user, who must have ``role`` (a page without a user redirects to login)."""

    def dependency(request: Request) -> User:
        user = current_user(request)
        if user is None:
            if request.method == "GET" and "application/json" not in request.headers.get("accept", ""):
                raise LoginRequired()
            raise HTTPException(401, "log in first")
        if not user.can(role):
            raise HTTPException(403, f"this needs the {role} role")
        return user

    return dependency


def csrf_basis(request: Request) -> str | None:
    return request.cookies.get(SESSION_COOKIE) or request.cookies.get(CSRF_COOKIE)


async def check_csrf(request: Request) -> None:
    """Every POST: the token of the header or the form must match the session's."""
    token = request.headers.get("x-csrf-token")
    if token is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()  # cached on the request: the route reads the same form
        value = form.get("csrf")
        token = value if isinstance(value, str) else None
    if not auth_of(request).csrf_ok(csrf_basis(request), token):
        raise HTTPException(403, "missing or wrong CSRF token; reload the page")


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    basis = csrf_basis(request)
    user = current_user(request)
    csrf = auth_of(request).csrf_token(basis) if basis else ""
    return request.app.state.templates.TemplateResponse(
        request, template, {"user": user, "csrf": csrf, **context}, status_code=status_code)


#: route parameters: the user, who must be at least a viewer / a reviewer; a JSON object body
Viewer = Annotated[User, Depends(require("viewer"))]
Reviewer = Annotated[User, Depends(require("reviewer"))]
JsonBody = Annotated[dict[str, Any], Body()]
