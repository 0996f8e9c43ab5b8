"""SMART's URLs: discovery, /o/ (OAuth2 endpoints) and the portal's Connected apps."""

from django.urls import include, path
from oauth2_provider import views as oauth2_views

from clinic.smart import views

oauth2_patterns = (
    [
        path("authorize/", views.PatientAuthorizationView.as_view(), name="authorize"),
        path("token/", oauth2_views.TokenView.as_view(), name="token"),
        path("revoke_token/", oauth2_views.RevokeTokenView.as_view(), name="revoke-token"),
        path("introspect/", oauth2_views.IntrospectTokenView.as_view(), name="introspect"),
        # OpenID Connect: discovery, the id_token's signing keys and userinfo.
        path(
            ".well-known/openid-configuration",
            oauth2_views.ConnectDiscoveryInfoView.as_view(),
            name="oidc-connect-discovery-info",
        ),
        path(".well-known/jwks.json", oauth2_views.JwksInfoView.as_view(), name="jwks-info"),
        path("userinfo/", oauth2_views.UserInfoView.as_view(), name="user-info"),
    ],
    "oauth2_provider",
)

smart_patterns = (
    [
        path("profile/apps/", views.connected_apps, name="connected_apps"),
        path(
            "profile/apps/<int:application_id>/revoke/",
            views.connected_app_revoke,
            name="connected_app_revoke",
        ),
        path("o/me/", views.MeView.as_view(), name="me"),
    ],
    "smart",
)

urlpatterns = [
    path(".well-known/smart-configuration", views.smart_configuration, name="smart-configuration"),
    path("fhir/.well-known/smart-configuration", views.smart_configuration),
    path("o/", include(oauth2_patterns)),
    path("", include(smart_patterns)),
]
