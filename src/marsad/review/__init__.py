"""The review desk: a web application where a team checks and corrects extracted events
beside their Arabic text (``marsad serve --db PATH``).

``db`` is the data layer (SQLite or PostgreSQL, numbered migrations, versioned events),
``auth`` the users, sessions and CSRF tokens, ``app`` the FastAPI application built from the
``routes_*`` modules, ``highlight`` the server-side span highlighting, ``learn`` the
conversion of reviewed events into training annotations.
"""
