"""Admins manage users on the desk as ``marsad users add`` does on the command line."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, Response

from marsad.review.auth import User, add_user
from marsad.review.db import ROLES, Invalid
from marsad.review.deps import check_csrf, desk_of, render, require

router = APIRouter()
Admin = Annotated[User, Depends(require("admin"))]


@router.get("/users", response_class=HTMLResponse)
def users(request: Request, user: Admin) -> Response:
    return render(request, "users.html", users=desk_of(request).users(), roles=ROLES)


@router.post("/users", dependencies=[Depends(check_csrf)])
def save_user(request: Request, user: Admin, name: Annotated[str, Form()], role: Annotated[str, Form()],
              password: Annotated[str, Form()]) -> Response:
    try:
        add_user(desk_of(request), name.strip(), password, role)
    except (ValueError, Invalid) as exc:
        return render(request, "users.html", status_code=422, users=desk_of(request).users(), roles=ROLES,
                      error=str(exc))
    return render(request, "users.html", users=desk_of(request).users(), roles=ROLES,
                  saved=f"{name.strip()} ({role}) saved")
