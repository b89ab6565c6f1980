"""The bank's people beyond their accounts (``admin`` keeps the accounts): their training (``training``)."""
