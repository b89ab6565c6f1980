"""Process tests and decision tests, run by ``flask workflows validate``, on the designer's page, on a draft's check and before every deployment.

Other rooms import the modules of this package by name (``from app.services.design.testing import process_tests``):
``process_tests``, ``decision_tests``; ``process_test_shape`` serves ``process_tests``."""
