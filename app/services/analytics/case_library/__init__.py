"""The case library (案例库): case analyses of defaults, risk controls and successes, each recorded by a risk manager
and approved by compliance in ``workflows/case_analysis.bpmn``, then read by every credit user.

Other rooms import the modules by name: ``start`` (the events that start an analysis, idempotently, and one
started by hand), ``progress`` (what each step writes on the analysis row), ``timeline`` (the customer's story
read from the system's tables), ``entries`` (one entry's page: the stable link ``case_library.show`` with
``analysis_id``; a customer's analyses), ``search`` (the library's list, its figures), ``evidence`` (what each warning
rule caught before a default), ``causes`` (the root causes, outcomes and triggers named once), ``rights`` (who
may) and ``record_checks`` (the analysis form's own check). Nothing is imported here.
"""
