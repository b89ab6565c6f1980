"""Moving running cases to a newer deployed version of their process.

Other rooms import the modules of this package by name
(``from app.services.design.migration import instance_migration``): ``instance_migration`` (preview, migrate,
roll back), ``migration_words`` (what a preview says, in the designer's words)."""
