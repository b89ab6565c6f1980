"""Process tests and decision tests, run by ``flask workflows validate``, on the designer's page, on a draft's check and before every deployment.

Other rooms import the modules of this package by name (``from app.services.design.testing import process_tests``):
``process_tests``, ``decision_tests``; ``process_test_shape`` (what a tests file and a case must look like) and
``process_test_play`` (a case played through the process) serve ``process_tests``."""
