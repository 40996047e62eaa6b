from django.contrib import admin
from django.urls import include, path

from mall.graphql_view import MallGraphQLView

admin.site.site_header = "DealerMall back office"
admin.site.site_title = "DealerMall"
admin.site.index_title = "Channel operations"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("graphql/", MallGraphQLView.as_view(graphiql=True), name="graphql"),
    path("integrations/", include("integrations.urls")),
    path("", include("storefront.urls")),
]
