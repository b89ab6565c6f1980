"""Moving running cases to a newer deployed version of their process.

Other rooms import the modules of this package by name
(``from app.services.design.migration import instance_migration``): ``migration_preview`` (the cases to
choose from, the migrations done, the preview), ``instance_migration`` (migrate, roll back),
``migration_words`` (what a preview says, in the designer's words)."""
