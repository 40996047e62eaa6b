"""One spelling per e-mail address: trimmed, lower case, and the domain in its IDNA ASCII form.

`ascii@exämple.com` and `ascii@xn--exmple-cua.com` are one mailbox written two ways; stored
and looked up in one form, they are one address for EMAIL_TAKEN, ALREADY_INVITED, the
one-company rule, sign-in and the lockout's count. The domain is converted with the `idna`
package (IDNA 2008 with the UTS 46 mapping, as browsers and mail servers do). Only a domain
that has a non-ASCII character or an `xn--` label is converted: a plain ASCII domain is kept
as it is (Django's validator has checked it already).
"""

import idna


class InvalidDomain(ValueError):
    """The domain is not valid IDNA (a broken `xn--` label, a character IDNA does not allow)."""


def ascii_domain(domain: str) -> str:
    """The domain in its ASCII (Punycode) form, lower case; InvalidDomain if it is not IDNA."""
    domain = domain.lower()
    if domain.isascii() and not any(label.startswith("xn--") for label in domain.split(".")):
        return domain
    try:
        return idna.encode(domain, uts46=True).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError) as exc:
        raise InvalidDomain(str(exc)) from None


def canonical_email(value: str) -> str:
    """`value` trimmed, in lower case, its domain in ASCII form; InvalidDomain if the domain is
    not IDNA. Text without an "@" is returned trimmed and in lower case (not an e-mail)."""
    text = str(value or "").strip().lower()
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain:
        return text
    return f"{local}@{ascii_domain(domain)}"


def login_form(login: str) -> str:
    """A typed login as sign-in and the lockout look it up: an e-mail in its canonical form,
    anything else (a user name, an e-mail with a broken domain) only trimmed, case kept."""
    text = str(login or "").strip()
    if "@" not in text:
        return text
    try:
        return canonical_email(text)
    except InvalidDomain:
        return text
