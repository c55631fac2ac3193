"""Log in and out."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from marsad.review.auth import CSRF_COOKIE, SESSION_COOKIE, SESSION_HOURS, RateLimited
from marsad.review.deps import auth_of, check_csrf, render

router = APIRouter()


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    if request.cookies.get(CSRF_COOKIE):
        return render(request, "login.html")
    # the pre-login CSRF token is derived from this cookie: set it, then show the form with it
    request.cookies[CSRF_COOKIE] = value = secrets.token_urlsafe(24)
    response = render(request, "login.html")
    response.set_cookie(CSRF_COOKIE, value, httponly=True, samesite="strict")
    return response


@router.post("/login", dependencies=[Depends(check_csrf)])
def login(request: Request, name: str = Form(...), password: str = Form(...)) -> Response:
    client = request.client.host if request.client else "?"
    try:
        token = auth_of(request).login(name, password, client)
    except RateLimited as exc:
        return render(request, "login.html", status_code=429, error=str(exc), name=name)
    if token is None:
        return render(request, "login.html", status_code=401, error="wrong name or password", name=name)
    response = RedirectResponse("/", status_code=303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict", max_age=SESSION_HOURS * 3600)
    return response


@router.post("/logout", dependencies=[Depends(check_csrf)])
def logout(request: Request) -> Response:
    auth_of(request).logout(request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
