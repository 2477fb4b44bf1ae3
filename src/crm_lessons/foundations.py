"""CRM foundations and the marketing theories behind it (Chapter 12, the course's opening part).

The course material (M4, the transport-business chapter; M5, the essays and exam notes) opens with what
CRM is, how customers are classified, and which marketing theories CRM rests on. This module holds those
lists as tidy tables, so a notebook can show them, an exercise can check them and the review appendix
can test recall of them without printing the answers:

- :data:`CRM_DEFINITIONS`: CRM as a tool and a continuous process (M4), as philosophy, mechanism and
  technology (M5), as a management mode (M3);
- :data:`CUSTOMER_CLASSES`, :data:`CLASSIFICATION_FUNCTIONS`, :data:`NEED_TRAITS` (M4);
- :data:`DATABASE_MARKETING_TRAITS`, :data:`RELATIONSHIP_MARKETING_TRAITS`,
  :data:`RELATIONSHIP_MARKETING_STRATEGIES`, :data:`ONE_TO_ONE_STEPS` (M4);
- :data:`MARKETING_MIXES` (4P, 4C, 4R), :data:`TEN_C`, :data:`CRM_BASIC_FUNCTIONS`,
  :data:`CRM_SYSTEM_ROLES` (the eleven roles) (M5);
- :data:`EMPTY_HEADINGS`: headings of M4 with nothing under them, and the standard content taught instead;
- :func:`delivered_value`: the customer delivered value (客户让渡价值) of Kotler: total customer value
  minus total customer cost, per customer, from stated money equivalents;
- :func:`telco_delivered_value`: the same on the IBM Telco data, with every assumption an argument;
- :func:`answer_hash` and :func:`self_check`: one-line feedback on recall questions whose answers are
  stored only as hashes (used by the review appendix).

Texts are the workbook's paraphrases of the Chinese originals, never copies.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ._validate import (
    CRMInputError,
    require_binary,
    require_columns,
    require_frame,
    require_no_missing,
    require_non_negative,
    require_number,
    require_numeric,
)
from .display import active_language

__all__ = [
    "CRM_DEFINITIONS",
    "CUSTOMER_CLASSES",
    "CLASSIFICATION_FUNCTIONS",
    "NEED_TRAITS",
    "DATABASE_MARKETING_TRAITS",
    "RELATIONSHIP_MARKETING_TRAITS",
    "RELATIONSHIP_MARKETING_STRATEGIES",
    "ONE_TO_ONE_STEPS",
    "MARKETING_MIXES",
    "TEN_C",
    "CRM_BASIC_FUNCTIONS",
    "CRM_SYSTEM_ROLES",
    "EMPTY_HEADINGS",
    "CENTRICITY",
    "VALUE_PARTS",
    "COST_PARTS",
    "TELCO_ASSUMPTIONS",
    "delivered_value",
    "telco_delivered_value",
    "three_views",
    "within_group_effect",
    "answer_hash",
    "self_check",
]


def _table(rows: Sequence[tuple], columns: Sequence[str]) -> pd.DataFrame:
    df = pd.DataFrame(list(rows), columns=list(columns))
    df.index = pd.RangeIndex(1, len(df) + 1, name="#")
    return df


CRM_DEFINITIONS = _table([
    ("tool and continuous process", "工具与连续过程", "M4",
     "a tool for managing relationships; a never-ending loop of talking with customers, learning their "
     "needs and improving products and services to meet them"),
    ("integrated marketing through IT", "整合营销的技术实现和管理实现", "M4",
     "customer-centred marketing carried out with information technology and the internet, both as "
     "technology and as management"),
    ("management philosophy", "管理理念", "M5",
     "born in Western marketing theory and first developed in the USA: end customers, distributors and "
     "partners are the firm's key resource, served so that their lifetime value is realised"),
    ("management mechanism", "管理机制", "M5",
     "a way of running marketing, sales, service and support that moves the firm from product-centred "
     "to customer-centred"),
    ("software and technology", "管理软件和技术", "M5",
     "business practice combined with data warehousing, data mining, one-to-one marketing and sales "
     "force automation"),
    ("management mode", "新型管理模式", "M3",
     "collect and track information in real time, integrate and analyse it, and so support "
     "customer-centred operation"),
], ["view", "中文", "source", "what it says (paraphrased)"])

CENTRICITY = _table([
    ("product-centric", "以产品为中心", "the product line", "units and margin per product",
     "push what the factory makes"),
    ("market-centric", "以市场为中心", "segments and share", "market share",
     "win share in chosen segments"),
    ("customer-centric", "以客户为中心", "each customer", "value of each customer over time",
     "keep and grow valuable customers"),
], ["orientation", "中文", "organised around", "success measured by", "typical goal"])

CUSTOMER_CLASSES = _table([
    ("government bodies and non-profits", "政府机构及非盈利机构", "government, schools, hospitals, associations"),
    ("special companies", "特殊公司", "firms with a special business tie to ours"),
    ("ordinary companies", "普通公司", "all other business customers"),
    ("trading partners and individuals", "交易伙伴及客户个人", "partners and private persons"),
], ["class", "中文", "examples"])

CLASSIFICATION_FUNCTIONS = _table([
    ("identify customers accurately", "有效识别客户",
     "in airline or high-end service a firm that fails to recognise a customer looks poor at service"),
    ("allocate resources", "合理配置资源", "limited resources go where classification says they pay"),
    ("personalise service", "提供个性化服务", "satisfying service is the base of loyalty and lasting profit"),
    ("specialise marketing", "营销对策专业化", "each class gets its own marketing response"),
    ("consolidate the core market", "巩固核心客户市场",
     "no firm leads in every market; classification finds the core customers to concentrate on"),
], ["function", "中文", "in the material's terms (paraphrased)"])

NEED_TRAITS = _table([
    ("individual", "个性化需求更为强烈", "stronger wish for personal products and service"),
    ("spiritual", "精神满足式消费", "buying for mental satisfaction matters more"),
    ("emotional", "需求感性化", "choices follow feelings more than reasoning"),
    ("immediate", "消费的即时性", "customers want it now"),
], ["trait", "中文", "meaning"])

DATABASE_MARKETING_TRAITS = _table([
    ("direct, controllable, personalised service", "提供直接可控的、个性化的服务"),
    ("hidden competition", "竞争隐蔽化"),
    ("many communication channels", "沟通渠道多样化"),
    ("least cost for most effect", "成本最小化,效果最大化"),
    ("high technology content", "科技含量高"),
], ["trait", "中文"])

RELATIONSHIP_MARKETING_TRAITS = _table([
    ("two-way communication", "双向沟通", "information flows both ways"),
    ("cooperation", "合作", "a relationship is either opposition or cooperation; only cooperation gives synergy"),
    ("win-win", "双赢", "both sides gain"),
    ("intimacy", "亲密", "emotional as well as material benefit keeps the relationship stable"),
    ("control", "控制", "a dedicated unit tracks the attitudes of customers, distributors and suppliers "
     "and removes what destabilises the relationship; feedback improves products"),
], ["trait", "中文", "meaning (paraphrased)"])

RELATIONSHIP_MARKETING_STRATEGIES = _table([
    ("quality and brand advantage", "建立质量和品牌优势", "build the firm's market image"),
    ("network and e-commerce technology", "借助现代网络技术和电子商务技术",
     "full two-way interaction with customers"),
    ("customer delivered-value system", "建立客户让渡(价值)系统",
     "raise what the customer gets relative to what it costs them (Kotler)"),
], ["strategy", "中文", "meaning"])

ONE_TO_ONE_STEPS = _table([
    ("identify customers", "识别顾客"),
    ("analyse how customers differ", "对顾客进行差异分析"),
    ("keep good contact", "与顾客保持良性接触"),
    ("adjust the product or service to each customer", "调整产品或服务以满足每个顾客的需要"),
], ["step", "中文"])

MARKETING_MIXES = pd.DataFrame({
    "4P (firm's view)": ["product", "price", "place", "promotion"],
    "4C (customer's view)": ["customer", "cost", "convenience", "communication"],
    "4R (relationship view)": ["relevance", "reaction", "relationship", "reward"],
}, index=pd.RangeIndex(1, 5, name="#"))

TEN_C = _table([
    ("customer profile", "顾客轮廓"), ("customer knowledge", "顾客知识"),
    ("customer segmentation", "顾客区隔"), ("customisation", "顾客化/定制化"),
    ("customer value", "顾客价值"), ("customer satisfaction", "顾客满意度"),
    ("customer development", "顾客的发展"), ("customer retention", "顾客保留"),
    ("customer acquisition rate", "顾客赢取率"), ("customer profitability", "顾客获利率"),
], ["C", "中文"])

CRM_BASIC_FUNCTIONS = _table([
    ("customers reach the firm by phone, fax or the web", "电话、传真、网络访问企业"),
    ("every employee who meets a customer sees the whole relationship, including what to sell "
     "vertically (up) and horizontally (across), and records what they learn", "全面了解客户关系,纵向和横向销售"),
    ("plan and evaluate campaigns with a 360-degree view", "市场活动规划、评估、360度透视"),
    ("track every sales activity", "对各种销售活动进行追踪"),
], ["function", "中文"])

CRM_SYSTEM_ROLES = _table([
    ("better marketing results", "提高市场营销效果", "marketing"),
    ("decision support for production and R&D", "为生产研发提供决策支持", "R&D"),
    ("a means of technical support", "提供技术支持的重要手段", "technical support"),
    ("decision support for finance", "为财务金融策略提供决策支持", "finance"),
    ("evidence for adjusting internal management", "为适时调整内部管理提供依据", "internal management"),
    ("better use of the firm's resources", "使企业资源得到合理利用", "resources"),
    ("optimised processes", "优化企业流程", "processes"),
    ("faster response and adaptation", "提高企业快速响应能力和应变能力", "responsiveness"),
    ("better service", "改善企业服务", "service"),
    ("higher revenue", "提高企业收入", "revenue"),
    ("a change of corporate culture", "推动企业文化的变革", "culture"),
], ["role", "中文", "area"])

EMPTY_HEADINGS = _table([
    ("CRM characteristics", "CRM的特征", "M4",
     "customer-centred, information-driven, integrated across marketing, sales and service, relationship "
     "rather than transaction as unit", "Payne & Frow (2005)"),
    ("obstacles to implementing CRM", "推行CRM时可能遇到的障碍", "M4",
     "CRM bought as software without a strategy; no organisational change; poor data; over-investing in "
     "unprofitable relationships", "Rigby, Reichheld & Schefter (2002)"),
    ("components of CRM", "客户关系管理的构成", "M4",
     "strategy development, value creation, multichannel integration, information management, "
     "performance assessment", "Payne & Frow (2005)"),
    ("CRM process", "客户关系管理流程", "M4",
     "identify, differentiate, interact, customise (IDIC), run as a loop", "Peppers & Rogers (2011)"),
    ("significance of CRM", "客户关系管理的意义", "M4",
     "retention is cheaper than acquisition and loyal customers are worth more over time",
     "Reichheld & Sasser (1990)"),
    ("origin and development of CRM", "CRM的起源与发展", "M4, M5",
     "from database and relationship marketing (1980s-90s) to CRM software; M5 says the USA developed "
     "it first", "Payne & Frow (2005)"),
    ("CRM application systems, functions and classes", "CRM的应用系统、功能与分类", "M4",
     "operational, analytical and collaborative CRM", "Buttle & Maklan (2019)"),
    ("place of CRM in the firm", "CRM系统在企业中的地位", "M4",
     "the front office tied to the ERP back office; the customer-facing layer of the information system",
     "Buttle & Maklan (2019)"),
    ("CRM system design and implementation; CRM technologies", "CRM系统设计与实施;CRM技术", "M4",
     "phased implementation; data warehouse, data mining, campaign management, call-centre systems",
     "Buttle & Maklan (2019)"),
    ("CRM case studies: Amazon, Yuanta Core Pacific Securities, United Microelectronics, OCBC Bank",
     "CRM案例研究:亚马逊书店、元大京华证券、联华电子、华侨银行", "M4",
     "names only; the best documented is Amazon's item-to-item recommendation system",
     "Linden, Smith & York (2003)"),
], ["heading", "中文", "source", "standard content taught instead", "cited from"])

VALUE_PARTS = ["product value", "service value", "personnel value", "image value"]
COST_PARTS = ["monetary cost", "time cost", "energy cost", "psychic cost"]


def delivered_value(data: pd.DataFrame, *, value_cols: Sequence[str] | None = None,
                    cost_cols: Sequence[str] | None = None) -> pd.DataFrame:
    """Customer delivered value (客户让渡价值): total customer value minus total customer cost.

    Kotler's definition: total customer value ``TCV = sum of value_cols`` (product, service, personnel,
    image value), total customer cost ``TCC = sum of cost_cols`` (money, time, energy, psychic cost),
    delivered value ``CDV = TCV - TCC`` and the value ratio ``TCV / TCC``. All in the same money unit.

    Parameters
    ----------
    data : DataFrame
        One row per customer; the value and cost columns in money per period.
    value_cols, cost_cols : sequence of str, optional
        Default :data:`VALUE_PARTS` and :data:`COST_PARTS` (those present in ``data``).

    Returns
    -------
    DataFrame
        A copy of ``data`` with ``total value``, ``total cost``, ``delivered value`` and
        ``value ratio`` (NaN where total cost is 0).

    Examples
    --------
    >>> d = pd.DataFrame({"product value": [100.0], "service value": [20.0],
    ...                   "monetary cost": [80.0], "time cost": [10.0]})
    >>> delivered_value(d)[["total value", "total cost", "delivered value"]].iloc[0].tolist()
    [120.0, 90.0, 30.0]
    """
    where = "delivered_value"
    require_frame(data, where=where)
    vc = list(value_cols) if value_cols is not None else [c for c in VALUE_PARTS if c in data.columns]
    cc = list(cost_cols) if cost_cols is not None else [c for c in COST_PARTS if c in data.columns]
    if not vc or not cc:
        raise CRMInputError(f"{where}: need at least one value column and one cost column; got value_cols="
                            f"{vc}, cost_cols={cc}. Name them, e.g. value_cols=['product value'], "
                            "cost_cols=['monetary cost'].")
    require_columns(data, vc + cc, where=where)
    require_numeric(data, vc + cc, where=where)
    require_no_missing(data, vc + cc, where=where)
    require_non_negative(data, vc + cc, where=where)
    out = data.copy()
    out["total value"] = data[vc].sum(axis=1)
    out["total cost"] = data[cc].sum(axis=1)
    out["delivered value"] = out["total value"] - out["total cost"]
    out["value ratio"] = out["total value"] / out["total cost"].where(out["total cost"] > 0)
    return out


TELCO_ASSUMPTIONS: dict[str, float] = {
    "phone": 25.0,               # worth of a phone line to the customer, USD per month
    "extra lines": 10.0,         # worth of multiple lines on top of one line
    "DSL": 45.0,                 # worth of DSL internet
    "Fiber optic": 75.0,         # worth of fibre internet
    "add-on": 8.0,               # each of online backup, device protection, streaming TV, streaming movies
    "support service": 10.0,     # each of online security, tech support (service value)
    "minutes per manual payment": 20.0,   # mailed or electronic check: time per monthly payment
    "value of time per hour": 15.0,       # USD per hour of the customer's time
    "paper bill minutes": 5.0,            # reading and filing a paper bill
}


_BUNDLE = ["phone_service", "multiple_lines", "internet_service", "online_security", "online_backup",
           "device_protection", "tech_support", "streaming_tv", "streaming_movies"]


def telco_delivered_value(telco: pd.DataFrame, *, assumptions: Mapping[str, float] | None = None
                          ) -> pd.DataFrame:
    """Delivered value of each IBM Telco customer per month, under stated, editable assumptions.

    Product value = worth of phone, extra lines, internet and add-ons held; service value = worth of
    online security and tech support held; personnel and image value are not in the data (0).
    Monetary cost = ``monthly_charges``; time cost = minutes spent on manual payment and paper bills at
    the stated value of time; energy and psychic cost are not in the data (0). Every "worth" is an
    assumption (``TELCO_ASSUMPTIONS``), not a measurement.

    Returns
    -------
    DataFrame
        ``customer_id``, ``contract``, ``churn``, ``bundle`` (the services held, as one text key), the
        four value and four cost parts, and the columns of :func:`delivered_value`.

    Examples
    --------
    >>> from crm_lessons.datasets import load
    >>> dv = telco_delivered_value(load("telco_churn_ibm"))
    >>> len(dv), round(float(dv["delivered value"].median()), 2)
    (7043, 27.95)
    """
    where = "telco_delivered_value"
    a = dict(TELCO_ASSUMPTIONS)
    for k, v in (assumptions or {}).items():
        if k not in TELCO_ASSUMPTIONS:
            raise CRMInputError(f"{where}: unknown assumption {k!r}; choose from {list(TELCO_ASSUMPTIONS)}.")
        a[k] = float(require_number(v, k, where=where, low=0))
    need = ["customer_id", "churn", "contract", "phone_service", "multiple_lines", "internet_service",
            "online_security", "online_backup", "device_protection", "tech_support", "streaming_tv",
            "streaming_movies", "paperless_billing", "payment_method", "monthly_charges"]
    require_frame(telco, where=where)
    require_columns(telco, need, where=where)
    require_no_missing(telco, need, where=where)
    require_numeric(telco, ["monthly_charges"], where=where)
    t = telco
    yes = {c: t[c].astype(str).eq("Yes") for c in ["multiple_lines", "online_security", "online_backup",
                                                   "device_protection", "tech_support", "streaming_tv",
                                                   "streaming_movies"]}
    net = t["internet_service"].astype(str)
    product = (t["phone_service"].astype(bool) * a["phone"] + yes["multiple_lines"] * a["extra lines"]
               + net.eq("DSL") * a["DSL"] + net.eq("Fiber optic") * a["Fiber optic"]
               + sum(yes[c] for c in ["online_backup", "device_protection", "streaming_tv",
                                      "streaming_movies"]) * a["add-on"])
    service = (yes["online_security"].astype(int) + yes["tech_support"].astype(int)) * a["support service"]
    manual = t["payment_method"].astype(str).str.contains("check", case=False)
    minutes = manual * a["minutes per manual payment"] + (~t["paperless_billing"].astype(bool)) * a[
        "paper bill minutes"]
    parts = pd.DataFrame({
        "customer_id": t["customer_id"].to_numpy(), "contract": t["contract"].astype(str).to_numpy(),
        "churn": t["churn"].astype(bool).to_numpy(),
        "bundle": t[_BUNDLE].astype(str).agg("|".join, axis=1).to_numpy(),
        "product value": product.astype(float).to_numpy(), "service value": service.astype(float).to_numpy(),
        "personnel value": 0.0, "image value": 0.0,
        "monetary cost": t["monthly_charges"].astype(float).to_numpy(),
        "time cost": (minutes / 60 * a["value of time per hour"]).astype(float).to_numpy(),
        "energy cost": 0.0, "psychic cost": 0.0})
    return delivered_value(parts)


def three_views(telco: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """One firm seen product-, market- and customer-centric (IBM Telco, monthly revenue in USD).

    Returns
    -------
    dict of DataFrame
        ``"product"``: customers and revenue by internet product; ``"market"``: by segment (senior
        citizen x has dependants); ``"customer"``: revenue share of the top 20% of customers, churn rate
        of the top 20% and of the rest.
    """
    where = "three_views"
    require_frame(telco, where=where)
    require_columns(telco, ["internet_service", "senior_citizen", "dependents", "monthly_charges",
                            "churn"], where=where)
    require_numeric(telco, ["monthly_charges"], where=where)
    require_binary(telco, ["churn"], where=where)
    t = telco.assign(revenue=telco["monthly_charges"].astype(float), churned=telco["churn"].astype(float))
    total = t["revenue"].sum()

    def agg(by):
        g = t.groupby(by, observed=True).agg(customers=("revenue", "size"), revenue=("revenue", "sum"),
                                             churn_rate=("churned", "mean"))
        g["revenue share"] = g["revenue"] / total
        return g.rename(columns={"revenue": "revenue (USD/month)", "churn_rate": "churn rate"}).round(3)

    product = agg(t["internet_service"].astype(str).rename("internet product"))
    seg = (np.where(t["senior_citizen"], "senior", "under 65") + " / "
           + np.where(t["dependents"], "dependants", "no dependants"))
    market = agg(pd.Series(seg, index=t.index, name="segment"))
    r = t["revenue"].to_numpy()
    top = r >= np.quantile(r, 0.8)
    customer = pd.DataFrame({
        "group": ["top 20% by monthly revenue", "other 80%"],
        "customers": [int(top.sum()), int((~top).sum())],
        "revenue share": [round(r[top].sum() / total, 3), round(r[~top].sum() / total, 3)],
        "churn rate": [round(float(t["churned"][top].mean()), 3), round(float(t["churned"][~top].mean()), 3)],
    })
    return {"product": product, "market": market, "customer": customer}


def within_group_effect(data: pd.DataFrame, *, y: str, x: str, group: str,
                        controls: Sequence[str] = ()) -> pd.DataFrame:
    """Linear-probability (OLS) effect of ``x`` on ``y`` comparing rows only within the same ``group``.

    Equivalent to OLS of ``y`` on ``x``, dummies of ``controls`` and one constant per group, fitted by
    subtracting group means (Frisch-Waugh-Lovell), which is fast with hundreds of groups. The standard
    error is heteroskedasticity-robust (HC1) with the degrees of freedom of the full dummy model, so it
    equals ``smf.ols("y ~ x + C(controls) + C(group)").fit(cov_type="HC1")``.

    Returns
    -------
    DataFrame
        One row: ``estimate``, ``std_err``, ``lower``, ``upper`` (95%), ``rows``, ``groups``.
    """
    where = "within_group_effect"
    require_frame(data, where=where)
    require_columns(data, [y, x, group, *controls], where=where)
    require_numeric(data, [y, x], where=where)
    require_no_missing(data, [y, x, group, *controls], where=where)
    Z = pd.get_dummies(data[list(controls)].astype(str), drop_first=True, dtype=float) if controls else \
        pd.DataFrame(index=data.index)
    M = pd.concat([data[[x]].astype(float), Z], axis=1)
    g = data[group].astype(str)
    Mw = (M - M.groupby(g).transform("mean")).to_numpy()
    yw = (data[y].astype(float) - data[y].astype(float).groupby(g).transform("mean")).to_numpy()
    beta, *_ = np.linalg.lstsq(Mw, yw, rcond=None)
    e = yw - Mw @ beta
    n, k = Mw.shape
    n_groups = int(g.nunique())
    bread = np.linalg.pinv(Mw.T @ Mw)
    V = bread @ (Mw.T * e**2) @ Mw @ bread * n / (n - k - n_groups)
    se = float(np.sqrt(V[0, 0]))
    return pd.DataFrame({"estimate": [beta[0]], "std_err": [se], "lower": [beta[0] - 1.959964 * se],
                         "upper": [beta[0] + 1.959964 * se], "rows": [n], "groups": [n_groups]})


# --------------------------------------------------------------------------- self-check by hash
_SALT = "crm-lessons-review"


def _normalise(answer) -> str:
    if isinstance(answer, (list, tuple)):
        return "|".join(_normalise(a) for a in answer)
    if isinstance(answer, (bool, np.bool_)):
        return str(bool(answer)).lower()
    if isinstance(answer, (int, np.integer)):
        return str(int(answer))
    if isinstance(answer, (float, np.floating)):
        return f"{float(answer):.2f}"
    s = unicodedata.normalize("NFKC", str(answer)).strip().lower()
    return re.sub(r"[\s,;.、。]+", " ", s).strip()


def answer_hash(question: str, answer) -> str:
    """SHA-256 (first 16 hex digits) of a question id and a normalised answer.

    Answers are normalised (case, spaces, punctuation, full-width characters; numbers to 2 decimals;
    lists joined in order), so ``"B"`` and ``" b "`` hash alike.

    Examples
    --------
    >>> answer_hash("demo", " B ") == answer_hash("demo", "b")
    True
    """
    return hashlib.sha256(f"{_SALT}:{question}:{_normalise(answer)}".encode()).hexdigest()[:16]


def _where_zh(hint: str | None) -> str:
    """A hint such as ``"12 § 12.1 What CRM is"`` as a Chinese pointer to the chapter and section.

    >>> _where_zh("12 § 12.1 What CRM is"), _where_zh("04 § The Dell case"), _where_zh(None)
    ('第 12 章第 12.1 节', '第 4 章', '题目中提到的小节')
    """
    m = re.match(r"\s*(\d+)\s*§\s*(\d+(?:\.\d+)*)?", hint or "")
    if not m:
        return "题目中提到的小节"
    chapter = int(m.group(1))
    return f"第 {chapter} 章第 {m.group(2)} 节" if m.group(2) else f"第 {chapter} 章"


def self_check(question: str, answer, answer_hashes: Mapping[str, str], *,
               hints: Mapping[str, str] | None = None) -> str:
    """Print and return one line of feedback on a recall question, without revealing the answer.

    Parameters
    ----------
    question : str
        Question id, a key of ``answer_hashes``.
    answer
        The student's answer (letter, number, word, or a list for an ordering).
    answer_hashes : mapping
        ``question -> answer_hash(question, correct answer)``.
    hints : mapping, optional
        ``question -> where to reread`` shown when the answer is wrong.

    Examples
    --------
    >>> h = {"demo": answer_hash("demo", 4)}
    >>> self_check("demo", 4, h)
    demo: correct.
    'demo: correct.'

    In the Chinese edition (``plotting.use_language("zh")``) the feedback is Chinese, and a hint points
    to the chapter and section by number (their titles are Chinese there).
    """
    if question not in answer_hashes:
        raise CRMInputError(f"self_check: unknown question {question!r}; choose from "
                            f"{sorted(answer_hashes)}.")
    zh = active_language() == "zh"
    if answer is ... or answer is None or (isinstance(answer, str) and not answer.strip()):
        msg = f"{question}：还没有作答，请把 ... 换成你的答案。" if zh else \
            f"{question}: no answer yet - replace ... with your answer."
    elif answer_hash(question, answer) == answer_hashes[question]:
        msg = f"{question}：正确。" if zh else f"{question}: correct."
    else:
        where = (hints or {}).get(question)
        if zh:
            msg = f"{question}：还没答对，请重读{_where_zh(where)}，再试一次。"
        else:
            msg = f"{question}: not yet - reread {where or 'the section named in the question'} and try again."
    print(msg)
    return msg
