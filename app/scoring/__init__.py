"""Credit scoring models learned from data: pure functions over pandas frames (scikit-learn; no Flask, no DB).

- ``table``: a file's text cells typed into features and a 0/1 target, every row and column checked;
- ``binning``: fine and coarse classing, weight of evidence and information value;
- ``woe_scorecard``: a logistic regression on WoE, scaled to points by PDO, each bin's points;
- ``gbm``: gradient-boosted trees (HistGradientBoosting), categories native, missing values native;
- ``metrics``: AUC, KS, Gini, ROC and KS curves, calibration by decile and Hosmer–Lemeshow, PSI and CSI;
- ``training``: the seeded stratified split, the fit and the held-out validation in one call.
"""
