"""Credit scoring models (模型管理): training from a file, every version kept whole and signed, scoring a file.

Other rooms call ``versions`` (train, find, score) and ``wording`` (a problem in the reader's language).
"""
