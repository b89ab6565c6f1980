"""Log-in, sessions and their limits.

Other rooms import the modules of this package by name (``from app.web.auth.auth import auth``)."""
