"""Dealer storefront pages (included at "" by mall/urls.py)."""

from django.urls import path

from storefront import views
from storefront.views import academy as academy_views
from storefront.views import approvals as approval_views
from storefront.views import auth as auth_views
from storefront.views import billing as billing_views
from storefront.views import company_users as company_user_views
from storefront.views import deals as deal_views
from storefront.views import funds as fund_views
from storefront.views import inbox as inbox_views
from storefront.views import insights as insights_views
from storefront.views import invitations as invitation_views
from storefront.views import order_lists as list_views
from storefront.views import payments as payment_views
from storefront.views import quick_order as quick_order_views
from storefront.views import rebates as rebate_views
from storefront.views.catalog import product_image

app_name = "storefront"

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("product-images/<int:pk>/", product_image, name="product_image"),
    path("product-images/<int:pk>/thumbnail/", product_image, {"thumbnail": True}, name="product_image_thumbnail"),
    path("products/<path:sku>/", views.product, name="product"),  # SKUs may hold a slash (ABC/123)
    path("cart/", views.cart, name="cart"),
    path("cart/add/", views.cart_add, name="cart_add"),
    path("cart/update/", views.cart_update, name="cart_update"),
    path("cart/remove/", views.cart_remove, name="cart_remove"),
    path("cart/voucher/", views.cart_voucher_apply, name="cart_voucher_apply"),
    path("cart/voucher/remove/", views.cart_voucher_remove, name="cart_voucher_remove"),
    path("checkout/", views.checkout, name="checkout"),
    # Quick order, saved order lists and reorder (lists)
    path("quick-order/", quick_order_views.quick_order, name="quick_order"),
    path("quick-order/template.<str:file_type>", quick_order_views.quick_order_template, name="quick_order_template"),
    path("lists/", list_views.order_lists, name="order_lists"),
    path("lists/add/", list_views.order_list_add_item, name="order_list_add_item"),
    path("lists/<int:pk>/", list_views.order_list, name="order_list"),
    path("lists/<int:pk>/add-to-cart/", list_views.order_list_add_to_cart, name="order_list_add_to_cart"),
    path("cart/save-as-list/", list_views.cart_save_as_list, name="cart_save_as_list"),
    path("orders/<str:number>/reorder/", quick_order_views.order_reorder, name="order_reorder"),
    path("orders/", views.orders, name="orders"),
    path("orders/<str:number>/", views.order_detail, name="order_detail"),
    path("orders/<str:number>/pay/", payment_views.card_payment, name="card_payment"),
    path("account/", billing_views.account, name="account"),
    path("account/rebates/", rebate_views.rebates, name="rebates"),
    path("account/users/", company_user_views.company_users, name="company_users"),  # Buyer approvals
    path("account/users/<int:pk>/", company_user_views.company_user, name="company_user"),
    path("account/users/invitations/", invitation_views.invitation_create, name="invitation_create"),  # INVITES
    path("account/users/invitations/<int:pk>/resend/", invitation_views.invitation_resend, name="invitation_resend"),
    path("account/users/invitations/<int:pk>/revoke/", invitation_views.invitation_revoke, name="invitation_revoke"),
    path("invitations/<str:token>/", invitation_views.invitation_accept, name="invitation_accept"),
    path("approvals/", approval_views.approvals, name="approvals"),
    path("approvals/<str:number>/", approval_views.approval_decide, name="approval_decide"),
    path("orders/<str:number>/return/", rebate_views.return_new, name="return_new"),
    path("returns/<str:number>/", rebate_views.return_detail, name="return_detail"),
    path("dashboard/", insights_views.dashboard, name="dashboard"),
    path("account/invoices/<str:number>/", billing_views.invoice_detail, name="invoice_detail"),
    path("account/statement/", billing_views.statement_view, name="statement"),
    path("account/statement.<str:file_type>", billing_views.statement_view, name="statement_file"),
    path("deals/", deal_views.deals, name="deals"),
    path("deals/new/", deal_views.deal_new, name="deal_new"),
    path("deals/<int:pk>/", deal_views.deal_detail, name="deal_detail"),
    path("deals/<int:pk>/action/", deal_views.deal_action, name="deal_action"),
    path("deals/<int:pk>/comment/", deal_views.deal_comment, name="deal_comment"),
    path("inbox/", inbox_views.inbox, name="inbox"),
    path("inbox/<int:pk>/", inbox_views.announcement_detail, name="announcement"),
    path("inbox/<int:pk>/acknowledge/", inbox_views.announcement_acknowledge, name="announcement_acknowledge"),
    path("notifications/<int:pk>/open/", inbox_views.notification_open, name="notification_open"),
    path("attachments/<int:pk>/", inbox_views.attachment, name="attachment"),
    path("orders/<str:number>/comment/", inbox_views.order_comment, name="order_comment"),
    path("threads/<str:kind>/<str:key>/comment/", inbox_views.thread_comment, name="thread_comment"),
    path("funds/", fund_views.funds, name="funds"),
    path("funds/plans/new/", fund_views.plan_new, name="fund_plan_new"),
    path("funds/plans/<int:pk>/", fund_views.plan_detail, name="fund_plan"),
    path("funds/plans/<int:pk>/action/", fund_views.plan_action, name="fund_plan_action"),
    path("funds/plans/<int:pk>/comment/", fund_views.plan_comment, name="fund_plan_comment"),
    path("funds/proofs/<int:pk>/", fund_views.proof_file, name="fund_proof_file"),
    path("funds/proofs/<int:pk>/thumbnail/", fund_views.proof_thumbnail, name="fund_proof_thumbnail"),
    path("academy/", academy_views.academy, name="academy"),
    path("academy/verify/", academy_views.verify, name="academy_verify"),
    path("academy/certificates/<int:pk>.pdf", academy_views.certificate_pdf, name="academy_certificate_pdf"),
    path("academy/lessons/<int:pk>/document/", academy_views.lesson_document, name="academy_lesson_document"),
    path("academy/<slug:slug>/", academy_views.course_detail, name="academy_course"),
    path("academy/<slug:slug>/enrol/", academy_views.course_enrol, name="academy_enrol"),
    path("academy/<slug:slug>/lessons/<int:lesson_id>/", academy_views.lesson_detail, name="academy_lesson"),
    path("academy/<slug:slug>/quiz/", academy_views.quiz, name="academy_quiz"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("account/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),  # AUTH
]
