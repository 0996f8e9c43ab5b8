from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "clinic.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from clinic.accounts import receivers  # noqa: F401  (connects the receivers)
        from clinic.accounts.token_cache import connect_receivers

        connect_receivers()
