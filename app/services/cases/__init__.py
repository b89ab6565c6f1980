"""Cases and their steps: starting, running a step, tasks and queues, history, delegation, withdrawal, timers.

Other rooms import the modules of this package by name (``from app.services.cases.cases import cases``)."""
