"""Identify customers (识别客户): record linkage into a single customer view.

A firm meets the same person in the store, on the phone and on the web, and each channel writes its
own record: ``王伟`` at the till, ``Wang Wei`` typed by a call-centre agent, ``David Wang`` in a web
form. This module makes such data with a known truth (:func:`make_customer_records`,
:func:`attach_orders`) and links it back together, step by step:

1. :func:`standardise_records` - pinyin name keys (from a small built-in character table, no extra
   dependency), phone digits, normalised addresses;
2. :func:`block_pairs` - candidate pairs that share a blocking key (phone, address, name key, ...);
3. :func:`compare_pairs` - field similarities with :mod:`rapidfuzz`;
4. :func:`rule_score` - a transparent points rule; :class:`FellegiSunter` - match weights
   ``log2(m/u)`` with m- and u-probabilities estimated by EM (unsupervised) or from labelled pairs;
5. :func:`cluster_pairs` - union-find into customer ids;
6. :func:`pair_metrics`, :func:`cluster_metrics`, :func:`threshold_curve` - precision, recall and F1
   against the truth;
7. :func:`single_customer_view` - one row and one order history per linked customer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from ._validate import (
    CRMInputError,
    require_columns,
    require_frame,
    require_no_missing,
    require_number,
    require_positive_int,
    require_probability,
)
from ._validate import require_datetime, require_non_negative, require_numeric, require_unique_key, check_join_keys  # bad-input checks (issue 17)

__all__ = [
    "SURNAMES",
    "GIVEN_NAMES",
    "make_customer_records",
    "attach_orders",
    "to_pinyin",
    "standardise_records",
    "block_pairs",
    "compare_pairs",
    "rule_score",
    "agreement_levels",
    "FellegiSunter",
    "cluster_pairs",
    "true_pairs",
    "pair_metrics",
    "cluster_metrics",
    "threshold_curve",
    "single_customer_view",
    "merge_examples",
    "last_order_seen",
]

# --------------------------------------------------------------------------------------------------
# Name tables: the 30 commonest surnames (weights roughly their shares in the 2020 census ranking)
# and common given names, each character with its pinyin (tones dropped).
# --------------------------------------------------------------------------------------------------

#: surname character -> (pinyin, relative weight)
SURNAMES: dict[str, tuple[str, float]] = {
    "王": ("wang", 7.1), "李": ("li", 7.0), "张": ("zhang", 6.7), "刘": ("liu", 5.4), "陈": ("chen", 4.5),
    "杨": ("yang", 3.1), "黄": ("huang", 2.2), "赵": ("zhao", 2.0), "吴": ("wu", 1.9), "周": ("zhou", 1.9),
    "徐": ("xu", 1.5), "孙": ("sun", 1.4), "马": ("ma", 1.3), "朱": ("zhu", 1.3), "胡": ("hu", 1.2),
    "郭": ("guo", 1.2), "何": ("he", 1.1), "林": ("lin", 1.0), "高": ("gao", 1.0), "罗": ("luo", 0.9),
    "郑": ("zheng", 0.9), "梁": ("liang", 0.8), "谢": ("xie", 0.7), "宋": ("song", 0.6), "唐": ("tang", 0.6),
    "许": ("xu", 0.6), "韩": ("han", 0.5), "冯": ("feng", 0.5), "邓": ("deng", 0.5), "曹": ("cao", 0.5),
}

#: given name -> gender ("m", "f" or "u")
GIVEN_NAMES: dict[str, str] = {
    "伟": "m", "芳": "f", "娜": "f", "秀英": "f", "敏": "f", "静": "f", "丽": "f", "强": "m", "磊": "m",
    "军": "m", "洋": "u", "勇": "m", "艳": "f", "杰": "m", "娟": "f", "涛": "m", "明": "m", "超": "m",
    "秀兰": "f", "霞": "f", "平": "u", "刚": "m", "建华": "m", "建国": "m", "志强": "m", "晓明": "m",
    "海燕": "f", "婷婷": "f", "浩然": "m", "子涵": "u", "雨轩": "u", "欣怡": "f", "梓萱": "f", "宇航": "m",
    "思远": "m", "佳怡": "f", "俊杰": "m", "丹": "f", "鹏": "m", "慧": "f",
}

# pinyin of every character used in names, including the homophones used for typing errors
_CHAR_PINYIN: dict[str, str] = {c: p for c, (p, _) in SURNAMES.items()}
_CHAR_PINYIN.update({
    "伟": "wei", "玮": "wei", "芳": "fang", "方": "fang", "娜": "na", "纳": "na", "秀": "xiu", "英": "ying",
    "莹": "ying", "敏": "min", "民": "min", "静": "jing", "晶": "jing", "丽": "li", "莉": "li", "强": "qiang",
    "蔷": "qiang", "磊": "lei", "蕾": "lei", "军": "jun", "君": "jun", "洋": "yang", "阳": "yang",
    "勇": "yong", "永": "yong", "艳": "yan", "燕": "yan", "杰": "jie", "洁": "jie", "娟": "juan",
    "鹃": "juan", "涛": "tao", "韬": "tao", "明": "ming", "铭": "ming", "超": "chao", "朝": "chao",
    "兰": "lan", "岚": "lan", "霞": "xia", "侠": "xia", "平": "ping", "萍": "ping", "刚": "gang",
    "钢": "gang", "建": "jian", "健": "jian", "华": "hua", "桦": "hua", "国": "guo", "志": "zhi",
    "智": "zhi", "晓": "xiao", "小": "xiao", "海": "hai", "婷": "ting", "亭": "ting", "浩": "hao",
    "皓": "hao", "然": "ran", "子": "zi", "梓": "zi", "涵": "han", "寒": "han", "雨": "yu", "宇": "yu",
    "轩": "xuan", "萱": "xuan", "欣": "xin", "心": "xin", "怡": "yi", "仪": "yi", "航": "hang",
    "杭": "hang", "思": "si", "远": "yuan", "源": "yuan", "佳": "jia", "家": "jia", "俊": "jun",
    "丹": "dan", "单": "dan", "鹏": "peng", "朋": "peng", "慧": "hui", "惠": "hui",
})
# a homophone for each given-name character (same pinyin, different character: the usual input-method typo)
_HOMOPHONE: dict[str, str] = {}
for _c, _p in list(_CHAR_PINYIN.items()):
    for _d, _q in _CHAR_PINYIN.items():
        if _q == _p and _d != _c and _c not in SURNAMES and _d not in SURNAMES:
            _HOMOPHONE.setdefault(_c, _d)

_ENGLISH = {"m": ["David", "Michael", "Kevin", "Jason", "Eric", "Tony", "Peter", "Jack", "Leo", "Frank"],
            "f": ["Grace", "Amy", "Linda", "Lily", "Emma", "Helen", "Cherry", "Vivian", "Sophia", "Joyce"]}
_STREETS = ["Zhongshan", "Renmin", "Jiefang", "Heping", "Jianshe", "Xinhua", "Nanjing", "Beijing",
            "Huaihai", "Changjiang", "Hongqiao", "Wenhua", "Yanan", "Shengli", "Dongfeng", "Qingnian"]
_DISTRICTS = ["Gulou", "Xuanwu", "Qinhuai", "Jianye", "Yuhuatai", "Qixia", "Jiangning", "Pukou"]
_ROAD = [("Road", "Rd"), ("Street", "St"), ("Avenue", "Ave")]
_ITEMS = ["rice cooker", "tea set", "phone case", "headphones", "down jacket", "running shoes",
          "face cream", "baby formula", "green tea", "water filter", "desk lamp", "backpack"]
_CHANNELS = ("store", "phone", "web")


def _phone_number(rng: np.random.Generator) -> str:
    prefix = rng.choice(["130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "158",
                         "159", "186", "187", "188", "189"])
    return prefix + "".join(map(str, rng.integers(0, 10, 8)))


def _format_phone(digits: str, style: int) -> str:
    if style == 0:
        return digits
    if style == 1:
        return f"+86 {digits[:3]}-{digits[3:7]}-{digits[7:]}"
    return f"{digits[:3]} {digits[3:7]} {digits[7:]}"


def _typo(text: str, rng: np.random.Generator) -> str:
    """One keyboard error in a Latin-letter string: substitute, delete, insert or swap a letter."""
    idx = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(idx) < 2:
        return text
    i = int(rng.choice(idx[1:]))  # keep the first letter (people rarely mistype it)
    kind = int(rng.integers(0, 4))
    letter = chr(int(rng.integers(97, 123)))
    if kind == 0:
        return text[:i] + letter + text[i + 1:]
    if kind == 1:
        return text[:i] + text[i + 1:]
    if kind == 2:
        return text[:i] + letter + text[i:]
    j = i - 1 if text[i - 1].isalpha() else i
    if j == i:
        return text
    return text[:j] + text[i] + text[j] + text[i + 1:]


def _address(rng: np.random.Generator) -> tuple[int, str, int, int, str]:
    return (int(rng.integers(1, 300)), str(rng.choice(_STREETS)), int(rng.integers(0, 3)),
            int(rng.integers(101, 2400)), str(rng.choice(_DISTRICTS)))


def _format_address(addr: tuple[int, str, int, int, str], rng: np.random.Generator) -> str:
    no, street, road, flat, district = addr
    full, short = _ROAD[road]
    style = int(rng.integers(0, 3))
    if style == 0:
        return f"{no} {street} {full}, Apt {flat}, {district} District"
    if style == 1:
        return f"No. {no} {street} {short}, {flat}, {district}"
    return f"{street} {full} {no}-{flat}, {district} Dist."


def make_customer_records(
    n: int = 1_000,
    *,
    seed: int = 0,
    p_store: float = 0.6,
    p_phone: float = 0.4,
    p_web: float = 0.6,
    duplicate_rate: float = 0.05,
    english_name_rate: float = 0.15,
    western_order_rate: float = 0.5,
    typo_rate: float = 0.08,
    phone_typo_rate: float = 0.03,
    phone_missing_rate: float = 0.05,
    moved_rate: float = 0.10,
    household_rate: float = 0.10,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Simulate one firm's customer records from three channels, with the true person behind each.

    Generative process (every rate is a parameter):

    1. ``n`` people. Person *i* has a surname drawn from the 30 commonest Chinese surnames (weights
       roughly their population shares), a given name from :data:`GIVEN_NAMES`, a gender, an English
       name (used only if a record shows it), an 11-digit mobile number and an address in Nanjing.
    2. Households: a share ``household_rate`` of people are *second members* of a household: they
       take the address and the phone number of an earlier person (same surname half the time, as a
       child or sibling would; else another surname, as a spouse keeps hers). Same address and phone,
       different people.
    3. Moves: a share ``moved_rate`` of people moved; each of their records independently shows the
       old or the new address (probability 1/2 each).
    4. Channels: a person has a store, phone and web record independently with probabilities
       ``p_store``, ``p_phone``, ``p_web``; a person drawn with none is redrawn until at least one.
       Each record is then duplicated within its channel (a second loyalty card, a second web account)
       with probability ``duplicate_rate``.
    5. How the name is written depends on the channel: the store's till shows Chinese characters
       (``王伟``); a phone agent types pinyin, surname first (``Wang Wei``); a web form shows pinyin in
       western order (``Wei Wang``) with probability ``western_order_rate``, else surname first. On the
       phone and web an English name replaces the given name (``David Wang``) with probability
       ``english_name_rate``.
    6. Typing errors: with probability ``typo_rate`` a name has one error - for characters, a
       homophone from the input method (``王玮`` for ``王伟``: same pinyin, different character); for
       Latin letters, one substituted, dropped, inserted or swapped letter.
    7. Phones: each record writes the number in one of three formats (``13800138000``,
       ``+86 138-0013-8000``, ``138 0013 8000``, equally likely); with probability ``phone_typo_rate``
       one digit is wrong; with probability ``phone_missing_rate`` the phone is missing.
    8. Addresses are written in one of three styles (``12 Zhongshan Road, Apt 301, Gulou District``,
       ``No. 12 Zhongshan Rd, 301, Gulou``, ``Zhongshan Road 12-301, Gulou Dist.``).

    Parameters
    ----------
    n : int, default 1_000
        Number of people.
    seed : int, default 0
        Seed; the same seed gives the same frames.
    p_store, p_phone, p_web : float
        Probability that a person has a record in each channel.
    duplicate_rate, english_name_rate, western_order_rate, typo_rate, phone_typo_rate,
    phone_missing_rate, moved_rate, household_rate : float
        The rates of steps 2-7 (each in [0, 1]).

    Returns
    -------
    records : DataFrame
        What the firm sees, one row per record: ``record_id`` (``R00001``...), ``channel``
        (``store``/``phone``/``web``), ``name``, ``phone`` (may be missing), ``address``. Rows are
        shuffled.
    truth : DataFrame
        The same rows in the same order: ``record_id``, ``person_id`` (the real customer),
        ``household_id``, ``name_form`` (``hanzi``, ``pinyin``, ``western``, ``english``),
        ``name_typo``, ``phone_typo``, ``moved``, ``used_old_address``, ``duplicate``.

    Examples
    --------
    >>> records, truth = make_customer_records(200, seed=1)
    >>> list(records.columns)
    ['record_id', 'channel', 'name', 'phone', 'address']
    >>> bool((records["record_id"] == truth["record_id"]).all()), truth["person_id"].nunique()
    (True, 200)
    """
    where = "make_customer_records"
    n = require_positive_int(n, "n", where=where, minimum=2)
    rates = dict(p_store=p_store, p_phone=p_phone, p_web=p_web, duplicate_rate=duplicate_rate,
                 english_name_rate=english_name_rate, western_order_rate=western_order_rate,
                 typo_rate=typo_rate, phone_typo_rate=phone_typo_rate,
                 phone_missing_rate=phone_missing_rate, moved_rate=moved_rate, household_rate=household_rate)
    for name, v in rates.items():
        require_probability(v, name, where=where)
    if p_store + p_phone + p_web == 0:
        raise CRMInputError(f"{where}: p_store, p_phone and p_web are all 0, so nobody has a record; "
                            "give at least one channel a positive probability.")
    rng = np.random.default_rng(seed)

    sur_chars = list(SURNAMES)
    sur_w = np.array([SURNAMES[c][1] for c in sur_chars])
    given = list(GIVEN_NAMES)

    people = []
    for i in range(n):
        surname = sur_chars[int(rng.choice(len(sur_chars), p=sur_w / sur_w.sum()))]
        g = given[int(rng.integers(len(given)))]
        gender = GIVEN_NAMES[g] if GIVEN_NAMES[g] != "u" else str(rng.choice(["m", "f"]))
        person = {"person_id": f"P{i + 1:05d}", "household_id": f"H{i + 1:05d}", "surname": surname,
                  "given": g, "gender": gender, "english": str(rng.choice(_ENGLISH[gender])),
                  "phone": _phone_number(rng), "address": _address(rng), "old_address": None}
        if i > 0 and rng.random() < household_rate:
            host = people[int(rng.integers(len(people)))]
            person.update(household_id=host["household_id"], phone=host["phone"], address=host["address"])
            if rng.random() < 0.5:
                person["surname"] = host["surname"]
        if rng.random() < moved_rate:
            person["old_address"] = _address(rng)
        people.append(person)

    p_ch = np.array([p_store, p_phone, p_web])
    rows = []
    for person in people:
        has = rng.random(3) < p_ch
        while not has.any():
            has = rng.random(3) < p_ch
        channels = [c for c, h in zip(_CHANNELS, has) if h]
        channels += [c for c in channels if rng.random() < duplicate_rate]
        for k, ch in enumerate(channels):
            rows.append(_render(person, ch, duplicate=k >= int(has.sum()), rng=rng, rates=rates))
    out = pd.DataFrame(rows)
    out = out.iloc[rng.permutation(len(out))].reset_index(drop=True)
    out.insert(0, "record_id", [f"R{i + 1:05d}" for i in range(len(out))])
    records = out[["record_id", "channel", "name", "phone", "address"]].copy()
    records["phone"] = records["phone"].astype("str")
    truth = out[["record_id", "person_id", "household_id", "name_form", "name_typo", "phone_typo",
                 "moved", "used_old_address", "duplicate"]].copy()
    return records, truth


def _render(person: dict, channel: str, *, duplicate: bool, rng: np.random.Generator, rates: dict) -> dict:
    s_char, g_chars = person["surname"], person["given"]
    s_py = SURNAMES[s_char][0].capitalize()
    g_py = "".join(_CHAR_PINYIN[c] for c in g_chars).capitalize()
    typo = bool(rng.random() < rates["typo_rate"])
    if channel == "store":
        form = "hanzi"
    elif rng.random() < rates["english_name_rate"]:
        form = "english"
    elif channel == "web" and rng.random() < rates["western_order_rate"]:
        form = "western"
    else:
        form = "pinyin"
    if form == "hanzi":
        if typo:
            j = int(rng.integers(len(g_chars)))
            g_chars = g_chars[:j] + _HOMOPHONE.get(g_chars[j], g_chars[j]) + g_chars[j + 1:]
        name = s_char + g_chars
    else:
        name = {"pinyin": f"{s_py} {g_py}", "western": f"{g_py} {s_py}",
                "english": f"{person['english']} {s_py}"}[form]
        if typo:
            name = _typo(name, rng)
    digits = person["phone"]
    phone_typo = bool(rng.random() < rates["phone_typo_rate"])
    if phone_typo:
        j = int(rng.integers(3, 11))
        digits = digits[:j] + str((int(digits[j]) + int(rng.integers(1, 10))) % 10) + digits[j + 1:]
    phone = None if rng.random() < rates["phone_missing_rate"] else _format_phone(digits, int(rng.integers(3)))
    moved = person["old_address"] is not None
    use_old = bool(moved and rng.random() < 0.5)
    addr = _format_address(person["old_address"] if use_old else person["address"], rng)
    return {"channel": channel, "name": name, "phone": phone, "address": addr,
            "person_id": person["person_id"], "household_id": person["household_id"], "name_form": form,
            "name_typo": typo, "phone_typo": phone_typo, "moved": moved, "used_old_address": use_old,
            "duplicate": duplicate}


def attach_orders(
    records: pd.DataFrame,
    truth: pd.DataFrame,
    *,
    seed: int = 0,
    mean_orders: float = 2.0,
    start: str = "2025-01-01",
    days: int = 365,
) -> pd.DataFrame:
    """Simulate the orders each record's channel took, so a person's history is split across records.

    Each record gets ``Poisson(mean_orders)`` orders on days uniform in ``[start, start + days)``; the
    item is one of a dozen product types, with a preference per person (half the orders are the
    person's favourite item), and the amount is log-normal around a per-item price.

    Parameters
    ----------
    records, truth : DataFrame
        The two frames returned by :func:`make_customer_records`.
    seed : int, default 0
        Seed; the same seed gives the same frame.
    mean_orders : float, default 2.0
        Mean number of orders per record (>= 0).
    start : str, default "2025-01-01"
        First possible order date.
    days : int, default 365
        Length of the order window.

    Returns
    -------
    DataFrame
        One row per order: ``order_id``, ``record_id``, ``channel``, ``date``, ``item``, ``amount``
        (yuan), sorted by date.

    Examples
    --------
    >>> r, t = make_customer_records(100, seed=2)
    >>> orders = attach_orders(r, t, seed=2)
    >>> set(orders["record_id"]) <= set(r["record_id"])
    True
    """
    where = "attach_orders"
    require_columns(records, ["record_id", "channel"], where=where)
    require_columns(truth, ["record_id", "person_id"], where=where)
    mean_orders = require_number(mean_orders, "mean_orders", where=where, low=0)
    days = require_positive_int(days, "days", where=where)
    if len(records) != len(truth) or not (records["record_id"].to_numpy() == truth["record_id"].to_numpy()).all():
        raise CRMInputError(f"{where}: records and truth must be the two frames of make_customer_records "
                            "(same record_id in the same order).")
    rng = np.random.default_rng(seed)
    persons = truth["person_id"].unique()
    fav = dict(zip(persons, rng.integers(0, len(_ITEMS), len(persons))))
    price = dict(zip(_ITEMS, np.round(rng.uniform(30, 600, len(_ITEMS)), 0)))
    k = rng.poisson(mean_orders, len(records))
    rec_idx = np.repeat(np.arange(len(records)), k)
    m = len(rec_idx)
    pid = truth["person_id"].to_numpy()[rec_idx]
    own = rng.random(m) < 0.5
    item_idx = np.where(own, [fav[p] for p in pid], rng.integers(0, len(_ITEMS), m))
    items = np.array(_ITEMS)[item_idx]
    amount = np.round([price[i] for i in items] * rng.lognormal(0.0, 0.25, m), 2)
    dates = pd.Timestamp(start) + pd.to_timedelta(rng.integers(0, days, m), unit="D")
    orders = pd.DataFrame({"record_id": records["record_id"].to_numpy()[rec_idx],
                           "channel": records["channel"].to_numpy()[rec_idx],
                           "date": dates, "item": items, "amount": amount})
    orders = orders.sort_values(["date", "record_id"], kind="stable").reset_index(drop=True)
    orders.insert(0, "order_id", [f"O{i + 1:06d}" for i in range(len(orders))])
    return orders


# --------------------------------------------------------------------------------------------------
# Standardise
# --------------------------------------------------------------------------------------------------

_SURNAME_PINYIN = {p for p, _ in SURNAMES.values()}
_ADDR_WORDS = {"rd": "road", "st": "street", "ave": "avenue", "dist": "", "apt": "", "no": "",
               "district": ""}


def to_pinyin(name: str) -> str:
    """Write a name in lower-case pinyin syllables; Chinese characters are looked up in a built-in table.

    Characters not in the table are kept as they are (so nothing silently disappears); Latin text is
    lower-cased with punctuation removed. A name in characters is written surname first, the given
    name as one word, as pinyin is (``王秀英`` -> ``wang xiuying``).

    Examples
    --------
    >>> to_pinyin("王伟"), to_pinyin("王玮"), to_pinyin("Wang  Wei!")
    ('wang wei', 'wang wei', 'wang wei')
    >>> to_pinyin("张秀英")
    'zhang xiuying'
    """
    if not isinstance(name, str):
        raise CRMInputError(f"to_pinyin: name must be a string, got {name!r}.")
    if any("\u4e00" <= ch <= "\u9fff" for ch in name):
        chars = [ch for ch in name if not ch.isspace()]
        syll = [_CHAR_PINYIN.get(ch, ch) for ch in chars]
        return " ".join([syll[0], "".join(syll[1:])]).strip() if syll else ""
    return " ".join(re.sub(r"[^a-z ]", " ", name.lower()).split())


_ENGLISH_GIVEN = {x.lower() for v in _ENGLISH.values() for x in v} | {
    "john", "james", "robert", "william", "richard", "thomas", "mark", "paul", "steven", "andrew",
    "mary", "jennifer", "susan", "jessica", "sarah", "karen", "nancy", "lisa", "anna", "alice"}


def _name_parts(key: str) -> tuple[str, str]:
    """Split a pinyin key into (surname, given): a known surname token, preferring the first token.

    An English given name (``david``) is not a Chinese given name and says nothing about it, so the
    given part is then left empty (compared as missing).
    """
    toks = key.split()
    if not toks:
        return "", ""
    sur, rest = toks[-1], toks[:-1]
    for t in (toks[0], toks[-1]):
        if t in _SURNAME_PINYIN:
            sur, rest = t, ([x for x in toks if x != t] if toks.count(t) == 1 else toks[1:])
            break
    if len(rest) == 1 and rest[0] in _ENGLISH_GIVEN:
        rest = []
    return sur, "".join(rest)


def _address_key(addr: str) -> str:
    toks = re.sub(r"[^a-z0-9]", " ", addr.lower()).split()
    toks = [_ADDR_WORDS.get(t, t) for t in toks]
    toks = [t for t in toks if t]
    return " ".join(sorted(toks))


def standardise_records(records: pd.DataFrame, *, name_col: str = "name", phone_col: str = "phone",
                        address_col: str = "address") -> pd.DataFrame:
    """Add comparison keys: pinyin name key, surname and given-name keys, phone digits, address key.

    Parameters
    ----------
    records : DataFrame
        One row per record with a name, phone (may be missing) and address column.
    name_col, phone_col, address_col : str
        Column names.

    Returns
    -------
    DataFrame
        A copy with ``name_key`` (pinyin, tokens sorted, so ``Wang Wei`` = ``Wei Wang`` = ``王伟``),
        ``surname_key``, ``given_key`` (empty for an English given name such as ``David``, which says
        nothing about the Chinese one), ``phone_digits`` (the last 11 digits, or ``""``) and
        ``address_key`` (lower case, abbreviations expanded, filler words dropped, tokens sorted).

    Examples
    --------
    >>> df = pd.DataFrame({"name": ["王伟", "Wei Wang"], "phone": ["+86 138-0013-8000", "13800138000"],
    ...                    "address": ["12 Zhongshan Road, Apt 301, Gulou District", "No. 12 Zhongshan Rd, 301, Gulou"]})
    >>> std = standardise_records(df)
    >>> std["name_key"].tolist(), std["phone_digits"].nunique(), std["address_key"].nunique()
    (['wang wei', 'wang wei'], 1, 1)
    """
    where = "standardise_records"
    require_columns(records, [name_col, phone_col, address_col], where=where)
    require_frame(records, where=where)
    require_no_missing(records, [name_col, address_col], where=where)
    out = records.copy()
    keys = [to_pinyin(str(x)) for x in out[name_col]]
    parts = [_name_parts(k) for k in keys]
    out["name_key"] = [" ".join(sorted(k.split())) for k in keys]
    out["surname_key"] = [p[0] for p in parts]
    out["given_key"] = [p[1] for p in parts]
    digits = out[phone_col].astype("str").str.replace(r"\D", "", regex=True).fillna("")
    out["phone_digits"] = digits.str[-11:].where(digits.str.len() >= 11, "")
    out["address_key"] = [_address_key(str(a)) for a in out[address_col]]
    return out


# --------------------------------------------------------------------------------------------------
# Block, compare, score
# --------------------------------------------------------------------------------------------------

_DEFAULT_BLOCKS = ("phone_digits", "address_key", "name_key", "surname_key+given_initial")


def block_pairs(std: pd.DataFrame, *, keys: Sequence[str] = _DEFAULT_BLOCKS,
                id_col: str = "record_id") -> pd.DataFrame:
    """Candidate pairs: records that share at least one blocking key.

    Comparing every record with every other one costs n(n-1)/2 comparisons; blocking compares only
    records that agree on some cheap key. A key ``a+b`` joins two columns; ``given_initial`` is the
    first letter of ``given_key``. Empty key values never block together.

    Parameters
    ----------
    std : DataFrame
        Output of :func:`standardise_records`.
    keys : sequence of str
        Blocking keys (columns of ``std`` or ``+``-joined combinations).
    id_col : str, default "record_id"

    Returns
    -------
    DataFrame
        ``left``, ``right`` (record ids, ``left < right``), one row per distinct pair, sorted.

    Examples
    --------
    >>> df = pd.DataFrame({"record_id": ["a", "b", "c"], "phone_digits": ["1", "1", "2"]})
    >>> block_pairs(df, keys=["phone_digits"]).values.tolist()
    [['a', 'b']]
    """
    where = "block_pairs"
    require_frame(std, where=where)
    if isinstance(keys, str) or not keys:
        raise CRMInputError(f"{where}: keys must be a non-empty list of column names, got {keys!r}.")
    cols = {c for k in keys for c in k.split("+") if c != "given_initial"}
    if any("given_initial" in k for k in keys):
        cols.add("given_key")
    require_columns(std, [id_col, *sorted(cols)], where=where)
    ids = std[id_col].astype("str").to_numpy()
    found = []
    for key in keys:
        parts = []
        for c in key.split("+"):
            s = std["given_key"].astype("str").str[:1] if c == "given_initial" else std[c].astype("str")
            parts.append(s.fillna(""))
        k = parts[0]
        empty = k.eq("")
        for p in parts[1:]:
            k = k + "|" + p
            empty = empty | p.eq("")
        frame = pd.DataFrame({"k": k.to_numpy(), "id": ids})[~empty.to_numpy()]
        m = frame.merge(frame, on="k")
        m = m[m["id_x"] < m["id_y"]]
        found.append(m[["id_x", "id_y"]].to_numpy())
    allp = np.concatenate(found) if found else np.empty((0, 2), dtype=object)
    out = pd.DataFrame(allp, columns=["left", "right"]).drop_duplicates()
    return out.sort_values(["left", "right"]).reset_index(drop=True).astype("str")


def compare_pairs(std: pd.DataFrame, pairs: pd.DataFrame, *, id_col: str = "record_id") -> pd.DataFrame:
    """Field similarities (0 to 1) for every candidate pair, computed with rapidfuzz.

    Returns a copy of ``pairs`` with ``name_sim`` (token-sort ratio of the pinyin keys, so word order
    does not matter), ``given_sim`` (Jaro-Winkler similarity of the given-name keys, which rewards a
    shared beginning, so ``xiuying``/``xiuyign`` score high; NaN when either is empty), 
    ``surname_agree`` (0/1), ``phone_sim`` (normalised Levenshtein similarity of the digits; NaN when a
    phone is missing) and ``address_sim`` (token-set ratio of the address keys).

    Examples
    --------
    >>> df = standardise_records(pd.DataFrame({"record_id": ["a", "b"], "name": ["王伟", "Wang Wie"],
    ...     "phone": ["13800138000", "138 0013 8001"], "address": ["1 Heping Rd, 2, Gulou"] * 2}))
    >>> f = compare_pairs(df, pd.DataFrame({"left": ["a"], "right": ["b"]}))
    >>> f[["name_sim", "surname_agree", "phone_sim", "address_sim"]].round(2).values.tolist()
    [[0.88, 1.0, 0.91, 1.0]]
    """
    from rapidfuzz import fuzz
    from rapidfuzz.distance import JaroWinkler, Levenshtein

    where = "compare_pairs"
    require_columns(std, [id_col, "name_key", "surname_key", "given_key", "phone_digits", "address_key"],
                    where=where)
    require_columns(pairs, ["left", "right"], where=where)
    idx = pd.Index(std[id_col].astype("str"))
    if not idx.is_unique:
        raise CRMInputError(f"{where}: {id_col!r} must be unique; it has repeated values.")
    li = idx.get_indexer(pairs["left"].astype("str"))
    ri = idx.get_indexer(pairs["right"].astype("str"))
    if (li < 0).any() or (ri < 0).any():
        bad = pairs.loc[(li < 0) | (ri < 0), ["left", "right"]].iloc[0].tolist()
        raise CRMInputError(f"{where}: pair {bad} names a record id that is not in std[{id_col!r}].")
    col = {c: std[c].astype("str").to_numpy() for c in ["name_key", "surname_key", "given_key",
                                                         "phone_digits", "address_key"]}
    out = pairs[["left", "right"]].copy().reset_index(drop=True)
    out["name_sim"] = [fuzz.token_sort_ratio(a, b) / 100 for a, b in zip(col["name_key"][li], col["name_key"][ri])]
    out["given_sim"] = [JaroWinkler.similarity(a, b) if a and b else np.nan
                        for a, b in zip(col["given_key"][li], col["given_key"][ri])]
    out["surname_agree"] = (col["surname_key"][li] == col["surname_key"][ri]).astype(float)
    pl, pr = col["phone_digits"][li], col["phone_digits"][ri]
    out["phone_sim"] = [Levenshtein.normalized_similarity(a, b) if a and b else np.nan for a, b in zip(pl, pr)]
    out["address_sim"] = [fuzz.token_set_ratio(a, b) / 100
                          for a, b in zip(col["address_key"][li], col["address_key"][ri])]
    return out


_FEATURES = ["name_sim", "given_sim", "surname_agree", "phone_sim", "address_sim"]


def rule_score(features: pd.DataFrame) -> pd.Series:
    """A transparent points rule: the number of fields that agree (0 to 4).

    One point each for: name similarity >= 0.85; surname agrees; phone agrees (similarity >= 0.9, so one
    mistyped digit still counts; a missing phone scores 0); address similarity >= 0.85. A common rule
    is "match when the score is at least 3".

    Examples
    --------
    >>> f = pd.DataFrame({"name_sim": [1.0, 0.3], "given_sim": [1.0, 0.2], "surname_agree": [1.0, 1.0],
    ...                   "phone_sim": [1.0, np.nan], "address_sim": [0.5, 1.0]})
    >>> rule_score(f).tolist()
    [3, 2]
    """
    require_columns(features, _FEATURES, where="rule_score")
    require_numeric(features, _FEATURES, where="rule_score")
    f = features
    pts = ((f["name_sim"] >= 0.85).astype(int) + (f["surname_agree"] >= 1).astype(int)
           + (f["phone_sim"].fillna(0) >= 0.9).astype(int) + (f["address_sim"] >= 0.85).astype(int))
    return pts.rename("rule_score")


#: the agreement levels of each comparison field, as shown in :meth:`FellegiSunter.weights_table`.
#: ``given``: Jaro-Winkler similarity below 0.8 / from 0.8 / from 0.92 / exact (missing when either
#: record shows an English given name). ``surname``: differs / agrees. ``contact``: phone and address
#: compared *jointly*, because members of one household share both - treating them as independent
#: evidence (as Fellegi-Sunter assumes of fields) would count the household twice. Phone agrees when
#: the digits' similarity is >= 0.9 (one wrong digit allowed), address when its similarity is >= 0.9.
LEVELS: dict[str, tuple[str, ...]] = {
    "given": ("< 0.8", "0.8-0.92", "0.92-1", "exact"),
    "surname": ("differs", "agrees"),
    "contact": ("phone and address differ", "address only", "phone only", "phone and address",
                "no phone, address differs", "no phone, address agrees"),
}


def agreement_levels(features: pd.DataFrame) -> pd.DataFrame:
    """Turn similarities into discrete agreement levels, as Fellegi-Sunter needs (see :data:`LEVELS`).

    Level numbers index the labels in :data:`LEVELS`; a missing given name is level ``-1`` (treated
    as uninformative by :class:`FellegiSunter`).

    Examples
    --------
    >>> f = pd.DataFrame({"name_sim": [1.0, 0.7], "given_sim": [1, np.nan], "surname_agree": [1.0, 0.0],
    ...                   "phone_sim": [0.95, np.nan], "address_sim": [0.2, 0.95]})
    >>> agreement_levels(f).values.tolist()
    [[3, 1, 2], [-1, 0, 5]]
    """
    require_columns(features, _FEATURES, where="agreement_levels")
    require_numeric(features, _FEATURES, where="agreement_levels")
    g = features["given_sim"].to_numpy(dtype=float)
    given = np.zeros(len(g), dtype=int)
    for c in (0.8, 0.92, 1.0):
        given += (g >= c - 1e-12).astype(int)
    given[np.isnan(g)] = -1
    surname = (features["surname_agree"].to_numpy(dtype=float) >= 1).astype(int)
    ph = features["phone_sim"].to_numpy(dtype=float)
    addr = (features["address_sim"].to_numpy(dtype=float) >= 0.9).astype(int)
    contact = np.where(np.isnan(ph), 4 + addr, 2 * (np.nan_to_num(ph) >= 0.9) + addr)
    return pd.DataFrame({"given": given, "surname": surname, "contact": contact.astype(int)},
                        index=features.index)


class FellegiSunter:
    """Fellegi-Sunter record-linkage model: match weight = sum over fields of ``log2(m / u)``.

    For each field and agreement level, ``m`` is P(level | the pair is a match) and ``u`` is
    P(level | non-match). Fields are assumed independent given match status. The weight of a pair is
    the sum of ``log2(m/u)`` over its fields' levels (a missing field adds 0); high weight = likely the
    same person.

    Parameters
    ----------
    max_iter : int, default 200
        EM iterations (unsupervised fit).
    tol : float, default 1e-8
        Stop when no parameter moves more than this.
    smoothing : float, default 0.5
        Pseudo-count added to every level (keeps ``m`` and ``u`` away from 0).

    Attributes
    ----------
    m_, u_ : dict of field -> array
        Estimated probabilities of each agreement level (index = level).
    prior_ : float
        Estimated share of candidate pairs that are matches.
    method_ : str
        ``"em"`` or ``"labelled"``.
    n_iter_ : int
        EM iterations used (0 for a labelled fit).

    Examples
    --------
    >>> r, t = make_customer_records(300, seed=3)
    >>> std = standardise_records(r)
    >>> feats = compare_pairs(std, block_pairs(std))
    >>> fs = FellegiSunter().fit(feats)
    >>> bool(fs.m_["contact"][3] > fs.u_["contact"][3])  # sharing phone and address is evidence
    True
    """

    def __init__(self, *, max_iter: int = 200, tol: float = 1e-8, smoothing: float = 0.5):
        self.max_iter = require_positive_int(max_iter, "max_iter", where="FellegiSunter")
        self.tol = require_number(tol, "tol", where="FellegiSunter", low=0, low_inclusive=False)
        self.smoothing = require_number(smoothing, "smoothing", where="FellegiSunter", low=0)

    def _estimate(self, lev: dict, w: np.ndarray) -> dict:
        out = {}
        for f, x in lev.items():
            k = len(LEVELS[f])
            ok = x >= 0
            cnt = np.bincount(x[ok], weights=w[ok], minlength=k) + self.smoothing
            out[f] = cnt / cnt.sum()
        return out

    def fit(self, features: pd.DataFrame, labels: Iterable[bool] | None = None) -> FellegiSunter:
        """Estimate m, u and the match share: by EM when ``labels`` is None, else from labelled pairs.

        ``labels`` (True = same person), when given, must have one entry per row of ``features``;
        the m-probabilities are then the level frequencies among matches, the u-probabilities among
        non-matches (with ``smoothing`` added).
        """
        where = "FellegiSunter.fit"
        require_frame(features, where=where)
        lev_df = agreement_levels(features)
        lev = {f: lev_df[f].to_numpy() for f in LEVELS}
        if labels is not None:
            y = np.asarray(list(labels), dtype=float)
            if y.shape != (len(features),) or np.isnan(y).any() or not np.isin(y, (0.0, 1.0)).all():
                raise CRMInputError(f"{where}: labels must be {len(features)} True/False values, one per pair.")
            if y.sum() == 0 or y.sum() == len(y):
                raise CRMInputError(f"{where}: labels need both matches and non-matches.")
            self.m_, self.u_ = self._estimate(lev, y), self._estimate(lev, 1 - y)
            self.prior_, self.method_, self.n_iter_ = float(y.mean()), "labelled", 0
            return self
        # EM. Start: matches mostly agree on the top level, non-matches mostly disagree.
        m, u = {}, {}
        for f in LEVELS:
            k = len(LEVELS[f])
            m[f] = np.linspace(1, 4, k) ** 2 / (np.linspace(1, 4, k) ** 2).sum()
            u[f] = m[f][::-1].copy()
        # contact: matches share phone and address, non-matches rarely do
        m["contact"] = np.array([0.05, 0.1, 0.1, 0.6, 0.05, 0.1])
        u["contact"] = np.array([0.6, 0.1, 0.1, 0.05, 0.1, 0.05])
        p = 0.2
        for it in range(1, self.max_iter + 1):
            lm = np.full(len(features), np.log(p))
            lu = np.full(len(features), np.log(1 - p))
            for f, x in lev.items():
                ok = x >= 0
                lm[ok] += np.log(m[f][x[ok]])
                lu[ok] += np.log(u[f][x[ok]])
            g = 1.0 / (1.0 + np.exp(lu - lm))  # P(match | levels)
            m_new, u_new = self._estimate(lev, g), self._estimate(lev, 1 - g)
            p_new = float(np.clip(g.mean(), 1e-6, 1 - 1e-6))
            delta = max(abs(p_new - p), *(np.abs(m_new[f] - m[f]).max() for f in LEVELS),
                        *(np.abs(u_new[f] - u[f]).max() for f in LEVELS))
            m, u, p = m_new, u_new, p_new
            if delta < self.tol:
                break
        self.m_, self.u_, self.prior_, self.method_, self.n_iter_ = m, u, p, "em", it
        return self

    def _check_fitted(self):
        if not hasattr(self, "m_"):
            raise CRMInputError("FellegiSunter: call .fit(features) before scoring.")

    def weights_table(self) -> pd.DataFrame:
        """Tabulate m, u and the weight ``log2(m/u)`` of every field and level."""
        self._check_fitted()
        rows = []
        with np.errstate(divide="ignore", invalid="ignore"):  # smoothing=0 can leave m or u at 0
            return self._weights_rows(rows)

    def _weights_rows(self, rows: list) -> pd.DataFrame:
        for f, names in LEVELS.items():
            for lev, nm in enumerate(names):
                rows.append({"field": f, "level": lev, "meaning": nm, "m": self.m_[f][lev],
                             "u": self.u_[f][lev], "weight": np.log2(self.m_[f][lev] / self.u_[f][lev])})
        return pd.DataFrame(rows)

    def score(self, features: pd.DataFrame) -> pd.Series:
        """Match weight of each pair (sum of ``log2(m/u)``; missing fields add 0)."""
        self._check_fitted()
        lev = agreement_levels(features)
        w = np.zeros(len(features))
        for f in LEVELS:
            x = lev[f].to_numpy()
            ok = x >= 0
            w[ok] += np.log2(self.m_[f][x[ok]] / self.u_[f][x[ok]])
        return pd.Series(w, index=features.index, name="match_weight")

    def match_probability(self, features: pd.DataFrame) -> pd.Series:
        """Posterior probability that each pair is a match, from the weight and the fitted match share."""
        w = self.score(features).to_numpy()
        logit = w * np.log(2) + np.log(self.prior_ / (1 - self.prior_))
        return pd.Series(1 / (1 + np.exp(-logit)), index=features.index, name="match_probability")


# --------------------------------------------------------------------------------------------------
# Cluster and evaluate
# --------------------------------------------------------------------------------------------------

def cluster_pairs(record_ids: Iterable, pairs: pd.DataFrame) -> pd.Series:
    """Group records into customers: connected components of the matched pairs (union-find).

    If A matches B and B matches C, all three become one customer, even if A and C were never
    compared (transitive closure).

    Parameters
    ----------
    record_ids : iterable
        Every record id (records with no match become one-record customers).
    pairs : DataFrame
        Matched pairs, columns ``left`` and ``right``.

    Returns
    -------
    Series
        ``customer_id`` (``C00001``...) indexed by record id, numbered in order of first appearance.

    Examples
    --------
    >>> cluster_pairs(["a", "b", "c", "d"], pd.DataFrame({"left": ["a", "b"], "right": ["b", "c"]})).tolist()
    ['C00001', 'C00001', 'C00001', 'C00002']
    """
    where = "cluster_pairs"
    ids = [str(x) for x in record_ids]
    if not ids:
        raise CRMInputError(f"{where}: record_ids is empty.")
    if len(set(ids)) != len(ids):
        raise CRMInputError(f"{where}: record_ids has repeated values; each record id must appear once.")
    require_columns(pairs, ["left", "right"], where=where)
    parent = {x: x for x in ids}

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in zip(pairs["left"].astype("str"), pairs["right"].astype("str")):
        if a not in parent or b not in parent:
            raise CRMInputError(f"{where}: pair ({a!r}, {b!r}) names a record not in record_ids.")
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[rb] = ra
    roots, labels = {}, []
    for x in ids:
        r = find(x)
        if r not in roots:
            roots[r] = f"C{len(roots) + 1:05d}"
        labels.append(roots[r])
    return pd.Series(labels, index=pd.Index(ids, name="record_id"), name="customer_id")


def _pairs_of_groups(ids: np.ndarray, groups: np.ndarray) -> set[tuple[str, str]]:
    df = pd.DataFrame({"id": ids.astype(str), "g": groups.astype(str)})
    m = df.merge(df, on="g")
    m = m[m["id_x"] < m["id_y"]]
    return set(zip(m["id_x"], m["id_y"]))


def true_pairs(truth: pd.DataFrame, *, id_col: str = "record_id", person_col: str = "person_id") -> set:
    """Every pair of records that belong to the same person: ``{(left, right), ...}`` with left < right.

    Examples
    --------
    >>> sorted(true_pairs(pd.DataFrame({"record_id": ["a", "b", "c"], "person_id": [1, 1, 2]})))
    [('a', 'b')]
    """
    require_columns(truth, [id_col, person_col], where="true_pairs")
    require_no_missing(truth, [id_col, person_col], where="true_pairs")
    return _pairs_of_groups(truth[id_col].to_numpy(), truth[person_col].to_numpy())


def _as_pair_set(pairs) -> set[tuple[str, str]]:
    if isinstance(pairs, pd.DataFrame):
        require_columns(pairs, ["left", "right"], where="pair_metrics")
        pairs = zip(pairs["left"], pairs["right"])
    return {tuple(sorted((str(a), str(b)))) for a, b in pairs}


def pair_metrics(predicted, actual) -> dict[str, float]:
    """Precision, recall and F1 of predicted matching pairs against the true pairs.

    precision = TP / predicted pairs; recall = TP / true pairs; F1 = their harmonic mean. Pairs are
    unordered. Either argument may be a set of tuples or a frame with ``left``/``right``.

    Examples
    --------
    >>> pair_metrics({("a", "b"), ("c", "d")}, {("a", "b"), ("a", "e")})
    {'tp': 1, 'predicted': 2, 'actual': 2, 'precision': 0.5, 'recall': 0.5, 'f1': 0.5}
    """
    p, a = _as_pair_set(predicted), _as_pair_set(actual)
    if not a:
        raise CRMInputError("pair_metrics: there are no true pairs, so recall is undefined.")
    tp = len(p & a)
    prec = tp / len(p) if p else 1.0
    rec = tp / len(a)
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return {"tp": tp, "predicted": len(p), "actual": len(a), "precision": prec, "recall": rec, "f1": f1}


def cluster_metrics(clusters: pd.Series, truth: pd.DataFrame, *, id_col: str = "record_id",
                    person_col: str = "person_id") -> dict[str, float]:
    """Score a clustering against the truth: pairwise P/R/F1 of the clusters, and exact-person share.

    The pairwise scores use every pair *implied* by the clusters (so transitive closure is counted).
    ``exact_share`` is the share of real people whose records form exactly one predicted customer and
    nothing else; ``n_customers`` and ``n_people`` compare the counts.

    Examples
    --------
    >>> truth = pd.DataFrame({"record_id": ["a", "b", "c"], "person_id": [1, 1, 2]})
    >>> cl = pd.Series(["C1", "C1", "C1"], index=["a", "b", "c"])
    >>> {k: round(v, 3) for k, v in cluster_metrics(cl, truth).items()}
    {'precision': 0.333, 'recall': 1.0, 'f1': 0.5, 'exact_share': 0.0, 'n_customers': 1, 'n_people': 2}
    """
    where = "cluster_metrics"
    require_columns(truth, [id_col, person_col], where=where)
    if not isinstance(clusters, pd.Series):
        raise CRMInputError(f"{where}: clusters must be a Series of customer ids indexed by record id "
                            "(the output of cluster_pairs).")
    cl = clusters.copy()
    cl.index = cl.index.astype(str)
    tid = truth[id_col].astype(str)
    if set(cl.index) != set(tid):
        raise CRMInputError(f"{where}: clusters and truth must cover the same record ids.")
    pred = _pairs_of_groups(cl.index.to_numpy(), cl.to_numpy())
    act = _pairs_of_groups(tid.to_numpy(), truth[person_col].to_numpy())
    m = pair_metrics(pred, act)
    joined = pd.DataFrame({"person": truth[person_col].to_numpy(), "customer": cl.loc[tid].to_numpy()})
    per_person = joined.groupby("person")["customer"].nunique()
    size_c = joined.groupby("customer")["person"].nunique()
    one = joined.groupby("person")["customer"].first()
    exact = (per_person == 1) & (size_c.loc[one].to_numpy() == 1)
    return {"precision": m["precision"], "recall": m["recall"], "f1": m["f1"],
            "exact_share": float(exact.mean()), "n_customers": int(cl.nunique()),
            "n_people": int(truth[person_col].nunique())}


def threshold_curve(features: pd.DataFrame, scores: Iterable[float], truth: pd.DataFrame,
                    thresholds: Iterable[float], *, clusters: bool = True) -> pd.DataFrame:
    """Precision, recall and F1 as the match threshold moves.

    Pairs scoring at or above the threshold are matches. Pair-level scores compare those pairs with
    *all* true pairs (so pairs lost by blocking count against recall); with ``clusters=True`` the
    matches are also clustered (:func:`cluster_pairs`) and scored by :func:`cluster_metrics`.

    Returns
    -------
    DataFrame
        One row per threshold: ``threshold``, ``precision``, ``recall``, ``f1``, ``matched_pairs``
        and, with clusters, ``cluster_precision``, ``cluster_recall``, ``cluster_f1``, ``exact_share``,
        ``n_customers``.

    Examples
    --------
    >>> truth = pd.DataFrame({"record_id": ["a", "b", "c"], "person_id": [1, 1, 2]})
    >>> feats = pd.DataFrame({"left": ["a", "a"], "right": ["b", "c"]})
    >>> threshold_curve(feats, [5.0, 1.0], truth, [0, 2])[["threshold", "precision", "recall"]].values.tolist()
    [[0.0, 0.5, 1.0], [2.0, 1.0, 1.0]]
    """
    where = "threshold_curve"
    require_columns(features, ["left", "right"], where=where)
    s = np.asarray(list(scores), dtype=float)
    if s.shape != (len(features),):
        raise CRMInputError(f"{where}: scores must have one value per pair ({len(features)}), got {s.shape}.")
    act = true_pairs(truth)
    ids = truth["record_id"].astype(str).tolist()
    rows = []
    for t in thresholds:
        t = require_number(t, "threshold", where=where)
        hit = features.loc[s >= t, ["left", "right"]]
        row = {"threshold": t, **{k: v for k, v in pair_metrics(hit, act).items()
                                  if k in ("precision", "recall", "f1")}, "matched_pairs": len(hit)}
        if clusters:
            cm = cluster_metrics(cluster_pairs(ids, hit), truth)
            row.update(cluster_precision=cm["precision"], cluster_recall=cm["recall"], cluster_f1=cm["f1"],
                       exact_share=cm["exact_share"], n_customers=cm["n_customers"])
        rows.append(row)
    return pd.DataFrame(rows)


def single_customer_view(records: pd.DataFrame, clusters: pd.Series, orders: pd.DataFrame) -> pd.DataFrame:
    """One row per linked customer: names seen, channels, orders across channels, last order.

    This is what "when you call, the agent knows your last order" needs: every channel's orders
    gathered under one customer id.

    Parameters
    ----------
    records : DataFrame
        ``record_id``, ``channel``, ``name``.
    clusters : Series
        Customer id per record id (from :func:`cluster_pairs`).
    orders : DataFrame
        ``record_id``, ``date``, ``item``, ``amount`` (from :func:`attach_orders`).

    Bad input: ``records`` has one row per ``record_id``; order dates must be datetimes (text dates would
    order '15/01/2024' after '02/01/2025'; the error shows the conversion); amounts >= 0; ``record_id`` has
    the same type in both frames. Orders whose record is not in ``records`` are left out and counted in a
    :class:`~crm_lessons._validate.CRMUnmatchedKeysWarning`.

    Returns
    -------
    DataFrame
        Indexed by ``customer_id``: ``names`` (distinct, joined by " / "), ``channels``, ``n_records``,
        ``n_orders``, ``total_amount``, ``last_order_date``, ``last_order_item``, ``last_order_channel``.

    Examples
    --------
    >>> rec = pd.DataFrame({"record_id": ["a", "b"], "channel": ["store", "web"], "name": ["王伟", "Wei Wang"]})
    >>> orders = pd.DataFrame({"record_id": ["a", "b"], "date": pd.to_datetime(["2025-01-01", "2025-03-01"]),
    ...                        "item": ["tea set", "green tea"], "amount": [100.0, 50.0]})
    >>> v = single_customer_view(rec, pd.Series(["C1", "C1"], index=["a", "b"]), orders)
    >>> v.loc["C1", "channels"], int(v.loc["C1", "n_orders"]), v.loc["C1", "last_order_item"]
    ('store, web', 2, 'green tea')
    """
    where = "single_customer_view"
    require_columns(records, ["record_id", "channel", "name"], where=where)
    require_columns(orders, ["record_id", "date", "item", "amount"], where=where)
    require_no_missing(records, ["record_id", "channel", "name"], where=f"{where} (records)")
    require_unique_key(records, "record_id", where=f"{where} (records)", what="record")
    require_no_missing(orders, ["record_id", "date", "amount"], where=f"{where} (orders)")
    # text dates would pick the "last" order by string order ('15/01/2024' after '02/01/2025')
    require_datetime(orders, ["date"], where=f"{where} (orders)")
    require_non_negative(orders, ["amount"], where=f"{where} (orders)")
    check_join_keys(orders, records, "record_id", where=where, left_name="orders", right_name="records")
    if not isinstance(clusters, pd.Series):
        raise CRMInputError(f"{where}: clusters must be a Series of customer ids indexed by record id.")
    cmap = pd.Series(clusters.to_numpy(), index=clusters.index.astype(str))
    rec = records[["record_id", "channel", "name"]].copy()
    rec["customer_id"] = rec["record_id"].astype(str).map(cmap)
    if rec["customer_id"].isna().any():
        raise CRMInputError(f"{where}: some records have no customer id in clusters.")
    base = rec.groupby("customer_id").agg(
        names=("name", lambda s: " / ".join(dict.fromkeys(s))),
        channels=("channel", lambda s: ", ".join(sorted(set(s)))),
        n_records=("record_id", "size"))
    o = orders[["record_id", "date", "item", "amount"]].copy()
    o["customer_id"] = o["record_id"].astype(str).map(cmap)
    o = o.merge(rec[["record_id", "channel"]], on="record_id", how="left")
    o = o.sort_values(["customer_id", "date", "record_id"], kind="stable")
    agg = o.groupby("customer_id").agg(n_orders=("item", "size"), total_amount=("amount", "sum"),
                                       last_order_date=("date", "last"), last_order_item=("item", "last"),
                                       last_order_channel=("channel", "last"))
    out = base.join(agg)
    out["n_orders"] = out["n_orders"].fillna(0).astype(int)
    out["total_amount"] = out["total_amount"].fillna(0.0).round(2)
    return out


def merge_examples(features: pd.DataFrame, scores: Iterable[float], records: pd.DataFrame,
                   truth: pd.DataFrame, threshold: float, *, n: int = 6) -> pd.DataFrame:
    """The pairs nearest the threshold on each side, with both records' names and whether they truly match.

    The ``n`` lowest-scoring pairs that are merged (score >= threshold) and the ``n`` highest-scoring
    pairs that are not: where a threshold's mistakes happen.

    Returns
    -------
    DataFrame
        ``decision`` ("merged"/"kept apart"), ``score``, ``left_name``, ``right_name``,
        ``left_phone``, ``right_phone``, ``same_person`` (the truth).

    Examples
    --------
    >>> r = pd.DataFrame({"record_id": ["a", "b", "c"], "name": ["王伟", "Wang Wei", "Wang Fang"],
    ...                   "phone": ["1", "1", "1"], "address": ["x", "x", "x"]})
    >>> t = pd.DataFrame({"record_id": ["a", "b", "c"], "person_id": [1, 1, 2]})
    >>> f = pd.DataFrame({"left": ["a", "a"], "right": ["b", "c"]})
    >>> merge_examples(f, [9.0, 1.0], r, t, 5.0)[["decision", "same_person"]].values.tolist()
    [['merged', True], ['kept apart', False]]
    """
    where = "merge_examples"
    require_columns(features, ["left", "right"], where=where)
    require_columns(records, ["record_id", "name", "phone"], where=where)
    require_columns(truth, ["record_id", "person_id"], where=where)
    sc = np.asarray(list(scores), dtype=float)
    if sc.shape != (len(features),):
        raise CRMInputError(f"{where}: scores must have one value per pair ({len(features)}).")
    threshold = require_number(threshold, "threshold", where=where)
    n = require_positive_int(n, "n", where=where)
    f = features[["left", "right"]].copy().reset_index(drop=True)
    f["score"] = sc
    above = f[f["score"] >= threshold].sort_values("score", kind="stable").head(n).assign(decision="merged")
    below = f[f["score"] < threshold].sort_values("score", ascending=False, kind="stable").head(n)
    ex = pd.concat([above, below.assign(decision="kept apart")], ignore_index=True)
    rec = records.set_index(records["record_id"].astype(str))
    per = pd.Series(truth["person_id"].to_numpy(), index=truth["record_id"].astype(str))
    out = pd.DataFrame({"decision": ex["decision"], "score": ex["score"].round(2),
                        "left_name": rec.loc[ex["left"].astype(str), "name"].to_numpy(),
                        "right_name": rec.loc[ex["right"].astype(str), "name"].to_numpy(),
                        "left_phone": rec.loc[ex["left"].astype(str), "phone"].to_numpy(),
                        "right_phone": rec.loc[ex["right"].astype(str), "phone"].to_numpy(),
                        "same_person": per.loc[ex["left"].astype(str)].to_numpy()
                        == per.loc[ex["right"].astype(str)].to_numpy()})
    return out


def last_order_seen(records: pd.DataFrame, groups: pd.Series, truth: pd.DataFrame, orders: pd.DataFrame, *,
                    channel: str = "phone") -> dict[str, float]:
    """Share of callers for whom the agent sees the caller's true last order.

    For every person with a record in ``channel`` (their first such record: the one the agent finds
    by the number they call from) and at least one order anywhere, the agent sees every order of the
    records grouped with that record by ``groups`` and reads off the latest. It is right when that is
    the person's true latest order across all channels. With each record as its own group (no
    linkage) the agent sees only that channel's orders; with the truth as groups, always right;
    a wrong merge can show another person's order.

    Parameters
    ----------
    records : DataFrame
        ``record_id``, ``channel``.
    groups : Series
        Customer id per record id (e.g. :func:`cluster_pairs`; or ``record_id`` itself for "no linkage").
    truth : DataFrame
        ``record_id``, ``person_id``.
    orders : DataFrame
        ``order_id``, ``record_id``, ``date``.

    Returns
    -------
    dict
        ``callers``, ``sees_last_order`` (how many), ``share``.

    Examples
    --------
    >>> rec = pd.DataFrame({"record_id": ["a", "b"], "channel": ["phone", "web"]})
    >>> t = pd.DataFrame({"record_id": ["a", "b"], "person_id": ["P1", "P1"]})
    >>> orders = pd.DataFrame({"order_id": ["o1", "o2"], "record_id": ["a", "b"],
    ...                        "date": pd.to_datetime(["2025-01-01", "2025-02-01"])})
    >>> last_order_seen(rec, pd.Series(["a", "b"], index=["a", "b"]), t, orders)["share"]
    0.0
    >>> last_order_seen(rec, pd.Series(["C1", "C1"], index=["a", "b"]), t, orders)["share"]
    1.0
    """
    where = "last_order_seen"
    require_columns(records, ["record_id", "channel"], where=where)
    require_columns(truth, ["record_id", "person_id"], where=where)
    require_columns(orders, ["order_id", "record_id", "date"], where=where)
    require_no_missing(orders, ["record_id", "date"], where=f"{where} (orders)")
    require_datetime(orders, ["date"], where=f"{where} (orders)")
    if not isinstance(groups, pd.Series):
        raise CRMInputError(f"{where}: groups must be a Series of customer ids indexed by record id.")
    if channel not in set(records["channel"]):
        raise CRMInputError(f"{where}: no record has channel {channel!r}; channels are "
                            f"{sorted(set(records['channel']))}.")
    rid = records["record_id"].astype(str)
    gmap = pd.Series(groups.to_numpy(), index=groups.index.astype(str))
    pmap = pd.Series(truth["person_id"].to_numpy(), index=truth["record_id"].astype(str))
    if not rid.isin(gmap.index).all():
        raise CRMInputError(f"{where}: some records have no group in groups.")
    o = orders[["order_id", "record_id", "date"]].copy()
    o["rid"] = o["record_id"].astype(str)
    o = o.sort_values(["date", "order_id"], kind="stable")
    o["person"] = o["rid"].map(pmap)
    o["group"] = o["rid"].map(gmap)
    true_last = o.groupby("person").tail(1).set_index("person")["order_id"]
    seen_last = o.groupby("group").tail(1).set_index("group")["order_id"]
    callers = pd.DataFrame({"rid": rid[records["channel"].eq(channel).to_numpy()].to_numpy()})
    callers["person"] = callers["rid"].map(pmap)
    callers = callers.drop_duplicates("person")
    callers = callers[callers["person"].isin(true_last.index)]
    seen = callers["rid"].map(gmap).map(seen_last)
    ok = seen.to_numpy() == callers["person"].map(true_last).to_numpy()
    n = len(callers)
    return {"callers": int(n), "sees_last_order": int(ok.sum()), "share": float(ok.mean()) if n else float("nan")}
