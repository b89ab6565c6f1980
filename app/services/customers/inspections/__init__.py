"""Post-loan inspection visits (贷后检查): planned by ``rules/inspection_frequency.dmn``, opened by beat or ad hoc,
recorded by the officer and signed off by the manager in ``workflows/post_loan_inspection.bpmn``.

Other rooms import the modules of this package by name (``from app.services.customers.inspections import
planning``): ``schedule`` (the frequency table), ``planning`` (the beat: plan, cancel, open), ``facts`` (what a
case starts with), ``ad_hoc`` (one started by hand, from a warning or the customer's page), ``progress`` (what
each step writes on the row), ``managers`` (whom an overdue one is escalated to), ``findings`` (findings to
warnings), ``record_checks`` (the record's own checks), ``rights`` (who may) and ``reads`` (the pages and the
API). Nothing is imported here: ``record_checks`` is read by the form checks, below the cases room.
"""
