from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from integrations.stripe import webhook as stripe_webhook
from mall.graphql_view import MallGraphQLView

admin.site.site_header = "DealerMall back office"
admin.site.site_title = "DealerMall"
admin.site.index_title = "Channel operations"

urlpatterns = [
    path("admin/two-factor/", include("security.urls")),  # staff two-factor enrolment and code pages
    path("admin/", admin.site.urls),
    path("graphql/", MallGraphQLView.as_view(graphiql=settings.GRAPHIQL), name="graphql"),
    path("integrations/stripe/webhook/", stripe_webhook.stripe_webhook, name="stripe_webhook"),
    path("integrations/", include("integrations.urls")),
    path("", include("operations.urls")),  # /healthz, /readyz, /metrics
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("storefront.urls")),
]
