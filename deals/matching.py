"""Keys that make two registrations of the same prospect look alike, and the fuzzy name score.

Pure functions (no database): the duplicate check in deals/selectors.py compares the keys
stored on each deal. Exact keys: the tax number, the web/e-mail domain and the phone number;
the company name is compared fuzzily after the legal form, case, punctuation and "&" are
taken out of it.

Why `token_sort_ratio`: it is the plain edit-distance similarity (`fuzz.ratio`) of the two
names with their words sorted, so word order does not matter but every word counts.
`partial_ratio`, `token_set_ratio` and `WRatio` score a name that merely contains the other
("Acme" inside "Acme Tracking") at 100, which turns every short name into a conflict.
"""

import re
import unicodedata
from urllib.parse import urlsplit

from rapidfuzz import fuzz, process

# Legal forms, as words after normalisation (lower case, no dots). Removed from the end of a
# name, repeatedly: "Acme Trading Co., Ltd." -> "acme trading".
LEGAL_SUFFIXES = {
    "ltd", "limited", "llc", "llp", "lp", "inc", "incorporated", "corp", "corporation", "co", "company",
    "plc", "gmbh", "ag", "kg", "ug", "se", "sa", "sarl", "sas", "srl", "spa", "bv", "nv", "oy", "ab", "as",
    "pty", "pvt", "private", "kk", "gk", "sdn", "bhd", "pte", "holdings", "group",
}
# Chinese organisational forms, longest first, removed from the end.
CJK_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "公司", "集团", "分公司", "厂")
# Chinese names usually start with the place of registration (北京艾克美贸易有限公司); the same
# firm often registers as just 艾克美贸易. Provinces, municipalities and large cities.
CJK_PLACES = (
    "北京", "上海", "天津", "重庆", "广东", "广州", "深圳", "江苏", "南京", "苏州", "浙江", "杭州", "宁波", "山东", "济南",
    "青岛", "福建", "福州", "厦门", "河北", "石家庄", "河南", "郑州", "湖北", "武汉", "湖南", "长沙", "四川", "成都", "陕西",
    "西安", "辽宁", "沈阳", "大连", "吉林", "长春", "黑龙江", "哈尔滨", "安徽", "合肥", "江西", "南昌", "山西", "太原",
    "云南", "昆明", "贵州", "贵阳", "广西", "南宁", "海南", "海口", "甘肃", "兰州", "内蒙古", "新疆", "西藏", "宁夏",
    "青海", "香港", "澳门", "台湾", "东莞", "佛山", "无锡",
)
_CJK_PLACE_PREFIX = re.compile("^(?:" + "|".join(sorted(CJK_PLACES, key=len, reverse=True)) + ")(?:省|市|自治区)?")
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9fff]")

# Mailbox providers: a shared domain says nothing about which company a contact works for.
FREE_MAIL_DOMAINS = {
    "gmail.com", "googlemail.com", "hotmail.com", "hotmail.co.uk", "outlook.com", "live.com", "msn.com",
    "yahoo.com", "yahoo.co.uk", "icloud.com", "me.com", "aol.com", "gmx.de", "gmx.net", "web.de", "mail.ru",
    "yandex.ru", "proton.me", "protonmail.com", "qq.com", "163.com", "126.com", "sina.com", "sohu.com",
    "foxmail.com", "aliyun.com", "btinternet.com", "orange.fr", "free.fr", "t-online.de",
}


def normalise_name(name: str) -> str:
    """The company name without legal form, case, punctuation or "&": "ACME Trading Co., Ltd."
    and "Acme-Trading Limited" both become "acme trading"; "北京艾克美贸易有限公司" -> "艾克美贸易"."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    text = text.replace("&", " and ").replace("+", " and ")
    text = text.replace("s.a.r.l", "sarl").replace("s.a.", "sa ").replace("s.p.a", "spa")
    words = [w for w in _NON_WORD.sub(" ", text).replace("_", " ").split() if w]
    while words:
        # "and" too: "Smith & Co" and "GmbH & Co. KG" leave it behind.
        if len(words) > 1 and (words[-1] in LEGAL_SUFFIXES or words[-1] == "and"):
            words.pop()
        else:
            break
    if words and words[0] == "the" and len(words) > 1:
        words.pop(0)
    words = [_strip_cjk(w) if _CJK.search(w) else w for w in words]
    return " ".join(w for w in words if w)


def _strip_cjk(word: str) -> str:
    changed = True
    while changed:
        changed = False
        for suffix in CJK_SUFFIXES:
            if word.endswith(suffix) and len(word) > len(suffix):
                word, changed = word[: -len(suffix)], True
                break
    stripped = _CJK_PLACE_PREFIX.sub("", word)
    return stripped if len(stripped) >= 2 else word


def normalise_tax_number(value: str) -> str:
    """Letters and digits only, upper case; an EU-style country prefix ("GB 123 4567 89") is
    dropped when the rest is all digits, so "GB123456789" and "123456789" are one number."""
    text = re.sub(r"[^0-9A-Z]", "", unicodedata.normalize("NFKC", value or "").upper())
    if len(text) > 4 and text[:2].isalpha() and text[2:].isdigit():
        text = text[2:]
    return text


def normalise_domain(website: str = "", email: str = "") -> str:
    """The registrable host of the website, else of the e-mail address; "" for a free mailbox
    provider. "https://www.Acme.example/about" and "sales@acme.example" -> "acme.example"."""
    host = ""
    if website and website.strip():
        raw = website.strip()
        if "://" not in raw:
            raw = "//" + raw
        try:
            host = urlsplit(raw).hostname or ""
        except ValueError:
            host = ""
    if not host and email and "@" in email:
        host = email.strip().rsplit("@", 1)[1]
    host = host.strip().strip(".").lower()
    try:
        host = host.encode("idna").decode("ascii") if host else ""
    except UnicodeError:
        pass
    if host.startswith("www."):
        host = host[4:]
    if "." not in host or host in FREE_MAIL_DOMAINS:
        return ""
    return host


def normalise_phone(value: str, default_country_code: str) -> str:
    """The number as country code + national number, digits only ("" when too short to mean
    anything). "+44 (0)20 7946 0958", "0044 20 7946 0958" and, with default code 44,
    "020 7946 0958" all become "442079460958"."""
    text = (value or "").replace("(0)", "")
    international = text.strip().startswith("+")
    digits = re.sub(r"\D", "", text)
    if not international:
        if digits.startswith("00"):
            digits = digits[2:]
        else:
            digits = default_country_code + digits[1:] if digits.startswith("0") else default_country_code + digits
    return digits if len(digits) >= 8 else ""


def name_score(a: str, b: str) -> float:
    """Similarity 0..100 of two normalised names."""
    return fuzz.token_sort_ratio(a, b)


def similar_names(key: str, candidates: dict[int, str], threshold: float) -> dict[int, float]:
    """{candidate id: score} of the candidates whose normalised name scores >= threshold.
    rapidfuzz's C++ loop, so tens of thousands of candidates take milliseconds."""
    if not key or not candidates:
        return {}
    found = process.extract(key, candidates, scorer=fuzz.token_sort_ratio, score_cutoff=threshold, limit=None)
    return {pk: round(score, 1) for _, score, pk in found}
