"""Signals of the accounts app."""

from django.dispatch import Signal

# Sent after a user's password hash was saved with a new password (not a
# re-hash of the same one). Arguments: sender (the user class), user.
password_changed = Signal()
