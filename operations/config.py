"""Settings a production start cannot do without. Imported by mall/settings.py, so it uses
nothing of Django: it reads the environment and answers with what is missing.

Production is DEBUG off (DEBUG=0), as in docker-compose.yml. `make demo` and the test suite
run with DEBUG on and never see these errors.
"""

from collections.abc import Mapping

MIN_SECRET_KEY_LENGTH = 50

# variable -> what to put there (shown in the error)
REQUIRED = {
    "SECRET_KEY": "at least 50 random characters; it signs sessions and API tokens",
    "DATABASE_URL": "postgres://user:password@host:5432/dealermall",
    "ALLOWED_HOSTS": "the storefront's host names, comma-separated (mall.example.com)",
}
STRIPE = {
    "STRIPE_SECRET_KEY": "sk_live_... from the Stripe dashboard",
    "STRIPE_PUBLISHABLE_KEY": "pk_live_... from the Stripe dashboard",
    "STRIPE_WEBHOOK_SECRET": "whsec_... of the webhook endpoint /integrations/stripe/webhook/",
}


def production_problems(env: Mapping[str, str]) -> list[str]:
    """One line per missing or unusable variable; empty when the start may go on."""
    problems = []
    for name, hint in REQUIRED.items():
        if not env.get(name, "").strip():
            problems.append(f"{name} is not set ({hint})")
    key = env.get("SECRET_KEY", "").strip()
    if key and (len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < 5):
        problems.append(f"SECRET_KEY is too weak ({len(key)} characters; use at least {MIN_SECRET_KEY_LENGTH} random ones)")
    # Card payments are on as soon as one Stripe key is given; then all three are needed.
    if any(env.get(name, "").strip() for name in STRIPE):
        for name, hint in STRIPE.items():
            if not env.get(name, "").strip():
                problems.append(f"{name} is not set ({hint}); card payments need all three Stripe variables")
    return problems


def production_error(problems: list[str]) -> str:
    lines = "\n".join(f"  - {problem}" for problem in problems)
    return (
        "DealerMall will not start in production (DEBUG=0) until these settings are fixed:\n"
        f"{lines}\n"
        "See docs/operations.md, section Settings. (For a local trial, leave DEBUG unset: `make demo`.)"
    )
