"""The settings of each topic, pulled into mall/settings.py (still DJANGO_SETTINGS_MODULE).

mall/settings.py keeps Django's core: hosts and HTTPS, apps, middleware, templates, the
database, caches, e-mail, i18n, static files, Celery, GraphQL. Everything else is here, one
plain module of constants per topic; a new setting goes to the module of its topic:

- env.py            reading the environment (env_bool, env_list) and what every topic reads:
                    BASE_DIR, VAR_DIR, DEBUG
- auth.py           passwords, sign-in URLs, access and refresh tokens, lockout (django-axes),
                    session cookies, staff two-factor (AUTH)
- limits.py         rate limits, trusted proxies, GraphQL cost and introspection, idempotency
                    keys of mutations (LIMITS)
- audit_invites.py  the audit log's export, invitations and SITE_URL (AUDIT, INVITES)
- integrations.py   webhooks to the ERP, drains, stock snapshots, the inbound ERP API (ERP)
- funds.py          marketing funds, partner academy, private uploads (FUNDS)
- deals.py          deal registration, comment threads (DEALS)
- payments.py       Stripe, bank transfer, invoicing, rebates and returns
                    (PAYMENTS, BILLING, REBATES)
- search.py         search backends and facets, insights' refresh and forecast (search, INSIGHTS)
- ops.py            logging, readiness, /metrics, GraphiQL, security headers and CSP (OPS)

A module may read the environment only through env.py's helpers and os.environ. Its
`__all__` is `settings_of(globals())`: its upper-case names, so mall/settings.py's
`from mall.conf.<topic> import *` brings exactly its settings (not its imports, nor the
shared DEBUG it read). What a topic adds to a core setting (apps, middleware, Celery beat
entries, Celery imports) it names in lower case (`apps`, `middleware`, `beat_schedule`,
`celery_imports`), and mall/settings.py puts it in place, so the order stays visible there.
"""
