"""The lanes whose tasks decide a credit (审贷分离: nobody who investigated the case may work them): one place,
read by the projection of a step, eligibility, delegation, rounds, withdrawal and the audit's exceptions."""

APPROVER_LANE = "approver"
APPROVAL_LANES = (APPROVER_LANE, "committee")
