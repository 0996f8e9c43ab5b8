"""What the accounts app does when an account changes (connected in AccountsConfig.ready)."""

from django.dispatch import receiver

from clinic.accounts.signals import password_changed


@receiver(password_changed, dispatch_uid="accounts.revoke_credentials")
def revoke_credentials(sender, user, **kwargs) -> None:
    """A new password ends every credential the old one opened.

    API tokens are deleted here. Web sessions need no sweep: Django keeps a
    hash of the password hash in each session and logs out any session whose
    hash no longer matches (the session that changed its own password is
    re-keyed with update_session_auth_hash and stays in).
    """
    from clinic.accounts.services import tokens_revoke_all

    tokens_revoke_all(user=user)
