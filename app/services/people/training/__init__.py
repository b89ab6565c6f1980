"""Training management (培训管理): the course catalogue (``catalog``), what each role must hold by
``rules/required_training.dmn`` and what lapsed training refuses (``required``), sessions and the results
recorded at them (``attendance``), case-library entries assigned as reading (``readings``), a person's record
and the completion per branch (``records``), and the reminders before and on a lapse (``reminders``).

Administrators and risk managers keep the courses and record attendance (``rights``); everyone reads and
acknowledges their own. The approver's qualification (审批资格) is the course ``APPROVAL_COURSE``.
"""
