"""Units every room uses: the job dispatch, one-by-one loops, NULL-safe comparisons, bulk rows, a bounded cache.

Other rooms import the modules of this package by name (``from app.services.shared import dispatch``)."""
