"""Decision tables over the portfolio: a draft table's policy impact, and deployed tables read for people.

Other rooms import the modules of this package by name (``from app.services.design.impact import policy_impact``):
``policy_impact``, ``impact_frames`` (``InputsUnavailable``; the frame it computes serves ``policy_impact``),
``decision_tables`` (names, rule descriptions, a logged evaluation against its table)."""
