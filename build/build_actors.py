"""Build marsad's actor dictionary (``src/marsad/data/actors.tsv``) from the reviewed table.

Usage::

    .venv/bin/python build/build_actors.py              # build the dictionary
    .venv/bin/python build/build_actors.py --mine-corpus /tmp/cand_corpus.tsv
    .venv/bin/python build/build_actors.py --mine-petrarch /tmp/cand_petrarch.tsv

Inputs:
- ``build/actors_curated.tsv``: the hand-reviewed table (canonical name, inter code, country,
  kind, active years, Arabic aliases). Reviewed additions found by the mining modes are pasted
  into its "reviewed additions" section after a human has checked them; candidates are never
  added automatically.
- the ``NATIONALITIES`` table below: nationality adjectives, from which the state-force phrases
  (الجيش التركي، القوات الروسية، الشرطة العراقية، طائرات حربية إسرائيلية ...) are generated.

Outputs (all keys through ``normalise_key``):
- ``src/marsad/data/actors.tsv``: ``key, canonical, inter, country, kind, weak, alias``;
- ``src/marsad/data/actors_countries.tsv``: ``iso2, name, forces_name, adjective stems``.

The mining modes print candidate phrases with corpus counts that the current dictionary does not
cover yet (``--mine-corpus``: n-grams after قوات/ميليشيا/جماعة/تنظيم/حركة/جيش/لواء/كتائب ...;
``--mine-petrarch``: PETRARCH Arabic actor entries of our countries' military/police/rebel codes
that occur verbatim in the corpus). They are review lists, not dictionary input.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import hashlib
import json
import logging
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from marsad.text.normalise import normalise_key  # noqa: E402

log = logging.getLogger("build_actors")

CURATED = ROOT / "build" / "actors_curated.tsv"
OUT_DIR = ROOT / "src" / "marsad" / "data"
SHARED = ROOT.parent / "shared"
CORPORA = (
    SHARED / "corpus" / "ant-me-2018.jsonl.gz",
    SHARED / "corpus" / "saudinewsnet-conflict-2015.jsonl.gz",
)
VERSION = "1.0"

# iso2: (English name as ACLED writes it, needs "the" in "Forces of", inter of its army,
#        adjective stems (masculine singular, no article), extra plural forms, Arabic state names)
NATIONALITIES: dict[str, tuple[str, bool, int, tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "SY": ("Syria", False, 1, ("سوري",), (), ("سوريا", "دمشق")),
    "IQ": ("Iraq", False, 1, ("عراقي",), (), ("العراق", "بغداد")),
    "YE": ("Yemen", False, 1, ("يمني",), (), ()),
    "LY": ("Libya", False, 1, ("ليبي",), (), ()),
    "EG": ("Egypt", False, 1, ("مصري",), (), ("مصر", "القاهرة")),
    "TR": ("Turkey", False, 1, ("تركي",), ("أتراك",), ("تركيا", "أنقرة")),
    "RU": ("Russia", False, 8, ("روسي",), ("روس",), ("روسيا", "موسكو")),
    "US": ("United States", True, 8, ("أمريكي", "أميركي"), ("أمريكان", "أميركان"),
           ("الولايات المتحدة", "الولايات المتحدة الأمريكية", "الولايات المتحدة الأميركية", "واشنطن")),
    "IL": ("Israel", False, 1, ("إسرائيلي",), (), ("إسرائيل", "تل أبيب")),
    "IR": ("Iran", False, 1, ("إيراني",), (), ("إيران", "طهران")),
    "SA": ("Saudi Arabia", False, 1, ("سعودي",), (), ("السعودية", "المملكة العربية السعودية", "الرياض")),
    "AE": ("United Arab Emirates", True, 1, ("إماراتي",), (), ("الإمارات", "أبوظبي")),
    "PS": ("Palestine", False, 1, ("فلسطيني",), (), ()),
    "LB": ("Lebanon", False, 1, ("لبناني",), (), ()),
    "SO": ("Somalia", False, 1, ("صومالي",), (), ()),
    "SD": ("Sudan", False, 1, ("سوداني",), (), ()),
    "AF": ("Afghanistan", False, 1, ("أفغاني",), ("أفغان",), ()),
    "JO": ("Jordan", False, 1, ("أردني",), (), ()),
    "FR": ("France", False, 1, ("فرنسي",), (), ()),
    "GB": ("United Kingdom", True, 1, ("بريطاني",), (), ()),
    "DZ": ("Algeria", False, 1, ("جزائري",), (), ()),
    "TN": ("Tunisia", False, 1, ("تونسي",), (), ()),
    "MA": ("Morocco", False, 1, ("مغربي",), (), ()),
    "KW": ("Kuwait", False, 1, ("كويتي",), (), ()),
    "QA": ("Qatar", False, 1, ("قطري",), (), ()),
    "BH": ("Bahrain", False, 1, ("بحريني",), (), ()),
    "OM": ("Oman", False, 1, ("عماني",), (), ()),
    "PK": ("Pakistan", False, 1, ("باكستاني",), (), ()),
    "NG": ("Nigeria", False, 1, ("نيجيري",), (), ()),
    "DE": ("Germany", False, 1, ("ألماني",), (), ()),
    "ET": ("Ethiopia", False, 1, ("إثيوبي",), (), ()),
    "KE": ("Kenya", False, 1, ("كيني",), (), ()),
    "IN": ("India", False, 1, ("هندي",), (), ()),
    "CN": ("China", False, 1, ("صيني",), (), ()),
    "IT": ("Italy", False, 1, ("إيطالي",), (), ()),
    "GR": ("Greece", False, 1, ("يوناني",), (), ()),
    "CY": ("Cyprus", False, 1, ("قبرصي",), (), ()),
    "ER": ("Eritrea", False, 1, ("إريتري",), (), ()),
    "SS": ("South Sudan", False, 1, ("جنوب سوداني",), (), ()),
    "TD": ("Chad", False, 1, ("تشادي",), (), ()),
    "ML": ("Mali", False, 1, (), (), ()),
    "BE": ("Belgium", False, 1, ("بلجيكي",), (), ()),
}

# Templates of state-force phrases; {m} masculine adjective, {f} feminine, {p} plural (all with
# the article where the template has "ال"), {mi}/{fi}/{pi} the indefinite forms.
MILITARY_TEMPLATES = (
    "الجيش ال{m}", "قوات الجيش ال{m}", "القوات ال{f}", "القوات المسلحة ال{f}", "الطيران ال{m}",
    "الطيران الحربي ال{m}", "سلاح الجو ال{m}", "القوات الجوية ال{f}", "الدفاع الجوي ال{m}",
    "الدفاعات الجوية ال{f}", "البحرية ال{f}", "القوات البحرية ال{f}", "القوات البرية ال{f}",
    "القوات الخاصة ال{f}", "الشرطة العسكرية ال{f}", "حرس الحدود ال{m}", "المقاتلات ال{f}",
    "الطائرات ال{f}", "الطائرات الحربية ال{f}", "المروحيات ال{f}", "الطائرات المروحية ال{f}",
    "الجنود ال{p}", "العسكريين ال{p}", "القوات الحكومية ال{f}", "الحكومة ال{f}", "الطيران المروحي ال{m}",
    "قوات {fi}", "قوات عسكرية {fi}", "قوة {fi}", "طائرات {fi}", "طائرة {fi}", "طائرات حربية {fi}",
    "طائرة حربية {fi}", "مقاتلات {fi}", "مقاتلة {fi}", "مقاتلات حربية {fi}", "مروحيات {fi}",
    "مروحية {fi}", "طائرة {fi} بدون طيار", "طائرات {fi} بدون طيار", "طائرة {fi} من دون طيار",
    "طائرات {fi} من دون طيار", "جنود {pi}", "جنودا {pi}", "جندي {mi}", "جنديا {mi}",
    "عسكريين {pi}", "عسكريون {pi}", "ضابط {mi}", "ضباط {pi}", "بوارج {fi}", "سفن حربية {fi}",
    # the attack named by its nationality ("غارات روسية", "القصف الإسرائيلي") names its actor
    "غارات {fi}", "غارة {fi}", "الغارات ال{f}", "الغارة ال{f}", "ضربات {fi}", "ضربة {fi}",
    "الضربات ال{f}", "الضربة ال{f}", "غارات جوية {fi}", "ضربات جوية {fi}", "قصف {mi}", "القصف ال{m}",
)
POLICE_TEMPLATES = (
    "الشرطة ال{f}", "قوات الشرطة ال{f}", "قوات الأمن ال{f}", "القوات الأمنية ال{f}",
    "الأجهزة الأمنية ال{f}", "الأمن ال{m}", "السلطات ال{f}", "السلطات الأمنية ال{f}",
    "المخابرات ال{f}", "الاستخبارات ال{f}", "الدرك ال{m}", "عناصر الأمن ال{m}", "رجال الأمن ال{m}",
    "شرطيون {pi}", "شرطيين {pi}", "شرطي {mi}", "قوات أمن {fi}", "قوات أمنية {fi}",
)
CIVILIAN_TEMPLATES = (
    "مدنيين {pi}", "مدنيون {pi}", "المدنيين ال{p}", "المدنيون ال{p}", "مواطنين {pi}",
    "المواطنين ال{p}", "مواطن {mi}", "مواطنا {mi}", "أطفال {pi}", "الأطفال ال{p}",
    "لاجئين {pi}", "اللاجئين ال{p}", "صحفي {mi}", "صحفيا {mi}", "صحفيين {pi}",
)
PEOPLE_TEMPLATES = ("ال{p}", "{pi}", "{mi}ا", "{mi}ان")
PROTESTER_TEMPLATES = (
    "متظاهرين {pi}", "متظاهرون {pi}", "المتظاهرين ال{p}", "المتظاهرون ال{p}", "محتجين {pi}",
    "محتجون {pi}", "المحتجين ال{p}", "المحتجون ال{p}", "محتجا {mi}ا", "متظاهرا {mi}ا",
)

# Arabic country names that a generated adjective form (stem + ا) would collide with
COUNTRY_NAMES = {normalise_key(n) for n in (
    "سوريا", "ليبيا", "تركيا", "روسيا", "بريطانيا", "ألمانيا", "إيطاليا", "نيجيريا", "إثيوبيا", "كينيا",
    "مصر", "إسبانيا", "أستراليا", "ماليزيا", "إندونيسيا", "الصومال", "السودان", "العراق", "اليمن", "لبنان",
)}

GROUP_PREFIXES = ("مقاتلي", "مقاتلو", "مسلحي", "مسلحو", "عناصر", "عناصر من", "متشددي", "قوات", "ميليشيات",
                  "قادة", "قيادات", "خلايا", "مقاتلين من", "عنصر من", "عنصرا من")
GROUP_NOUNS = {normalise_key(w) for w in (
    "قوات", "ميليشيا", "ميليشيات", "مليشيا", "مليشيات", "جماعة", "تنظيم", "حركة", "مقاتلي", "مسلحي",
    "عناصر", "كتائب", "فصائل", "جبهة", "هيئة", "لواء", "ألوية", "وحدات", "الميليشيات", "الميليشيا",
    "مجلس", "جيش", "شبكة", "حزب", "فيلق", "منظمة", "الحرس", "الجيش", "القوات", "قيادات", "القيادات",
    "عصابات", "خلايا", "فلول", "بقايا", "متشددي", "إرهابيي", "مقاتلو", "مسلحو", "المتمردين", "المتمردون",
    "الحشد", "سرايا", "جهاديي", "الجهاديين", "المقاتلين", "المسلحين", "مسلحين", "مسلحون", "رجال",
    "قيادة", "عملية", "الجناح", "الذراع", "نشطاء", "حراس", "ولاية", "بعثة", "مجموعة", "شركة", "كتيبة",
)}
GROUP_KINDS = {"rebel", "militia", "external"}
PATTERN_KINDS = {"civilians", "protesters", "rioters", "unidentified", "state_military", "state_police",
                 "rebel_generic", "militia_generic", "people"}

# single-word aliases of these kinds (الجيش، الأمن، السلطات، المتمردين ...) are marked weak: they name
# an actor only in context, and the event extractor should prefer other mentions.
WEAK_SINGLE_WORD_KINDS = {"state_military", "state_police", "rebel_generic", "militia_generic",
                          "unidentified"}

_MILITIA = re.compile(r"\b(ال)?(ميليشيا|مليشيا|ميليشيات|مليشيات)\b")
_WORD_PL = re.compile(r"(\w{3,})(ين|ون)\b")


def _forms(stem: str, extra_plurals: tuple[str, ...]) -> dict[str, list[str]]:
    """Adjective forms of a nationality stem (masculine, feminine, plural; with/without article)."""
    plurals = [stem + "ين", stem + "ون", *extra_plurals]
    return {"m": [stem], "f": [stem + "ة"], "p": plurals, "mi": [stem], "fi": [stem + "ة"], "pi": plurals}


def _fill(template: str, forms: dict[str, list[str]]) -> Iterator[str]:
    """Every filling of a nationality template."""
    slots = re.findall(r"\{(\w+)\}", template)
    if not slots:
        yield template
        return
    slot = slots[0]
    for value in forms[slot]:
        yield from _fill(template.replace("{" + slot + "}", value, 1), forms)


def variants(alias: str, kind: str) -> set[str]:
    """Spelling, number and group-prefix variants of one alias (already normalised)."""
    out = {alias}
    if _MILITIA.search(alias):
        for spelling in ("ميليشيا", "مليشيا", "ميليشيات", "مليشيات"):
            out.add(_MILITIA.sub(lambda m, s=spelling: (m.group(1) or "") + s, alias))
    for a, b in (("الديمقراطيه", "الديموقراطيه"), ("امريكي", "اميركي"), ("اميركي", "امريكي"),
                 ("عبدالله", "عبد الله"), ("عبد ربه", "عبدربه")):
        for v in list(out):
            if a in v:
                out.add(v.replace(a, b))
    if kind in PATTERN_KINDS:
        for v in list(out):
            out.add(_WORD_PL.sub(lambda m: m.group(1) + ("ون" if m.group(2) == "ين" else "ين"), v))
    if kind in GROUP_KINDS:
        for v in list(out):
            first = v.split(" ", 1)[0]
            if first not in GROUP_NOUNS and len(v) > 3:
                out.update(normalise_key(f"{p} {v}") for p in GROUP_PREFIXES)
        for v in list(out):
            if '"' not in v and " " in v:
                head, tail = v.split(" ", 1)
                if head in {"تنظيم", "جماعه", "حركه"}:
                    out.add(f'{head} "{tail}"')
    return out


def read_curated(path: Path = CURATED) -> list[dict[str, str]]:
    """Rows of the curated table, comments and header skipped."""
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#") or line.startswith("canonical\t"):
            continue
        parts = line.split("\t")
        if len(parts) != 6:
            raise ValueError(f"{path.name}:{n}: expected 6 columns, got {len(parts)}")
        canonical, inter, country, kind, years, aliases = parts
        rows.append({"canonical": canonical, "inter": inter, "country": "" if country == "*" else country,
                     "kind": kind, "years": years, "aliases": aliases, "line": str(n)})
    return rows


def generated_rows() -> list[dict[str, str]]:
    """State-force, civilian and protester phrases built from the nationality adjectives."""
    rows = []
    all_names = {normalise_key(n) for v in NATIONALITIES.values() for n in v[5]} | COUNTRY_NAMES
    for iso2, (name, the, inter, stems, plurals, state_names) in NATIONALITIES.items():
        forces = f"the {name}" if the else name
        groups: list[tuple[str, str, int, tuple[str, ...], str]] = [
            (f"Military Forces of {forces}", "state_military", inter, MILITARY_TEMPLATES, ""),
            (f"Police Forces of {forces}", "state_police", 1, POLICE_TEMPLATES, ""),
            (f"Civilians ({name})", "civilians", 7, CIVILIAN_TEMPLATES, ""),
            (f"Civilians ({name})", "people", 7, PEOPLE_TEMPLATES, "1"),
            (f"Protesters ({name})", "protesters", 6, PROTESTER_TEMPLATES, ""),
        ]
        for canonical, kind, code, templates, weak in groups:
            aliases = []
            for stem in stems:
                forms = _forms(stem, plurals)
                for t in templates:
                    aliases.extend(a for a in _fill(t, forms) if normalise_key(a) not in all_names)
            rows.append({"canonical": canonical, "inter": str(code), "country": iso2, "kind": kind,
                         "years": "", "aliases": "|".join(aliases), "weak": weak, "line": "generated"})
        if state_names:
            rows.append({"canonical": f"Military Forces of {forces}", "inter": str(inter), "country": iso2,
                         "kind": "state_name", "years": "", "aliases": "|".join(state_names), "weak": "1",
                         "line": "generated"})
    return rows


def build_entries() -> list[tuple[str, str, str, str, str, str, str]]:
    """All dictionary lines ``(key, canonical, inter, country, kind, weak, alias)``; first key wins."""
    curated = read_curated()
    specific = [r for r in curated if r["kind"] not in PATTERN_KINDS and r["kind"] != "stop"]
    patterns = [r for r in curated if r["kind"] in PATTERN_KINDS]
    stops = [r for r in curated if r["kind"] == "stop"]
    seen: dict[str, str] = {}
    entries = []
    for row in (*stops, *specific, *generated_rows(), *patterns):
        for alias in row["aliases"].split("|"):
            alias = alias.strip()
            if not alias:
                continue
            for key in sorted(variants(normalise_key(alias), row["kind"])):
                if key in seen:
                    if seen[key] != row["canonical"] and row["line"] != "generated":
                        log.debug("key %r already %s, not %s", key, seen[key], row["canonical"])
                    continue
                seen[key] = row["canonical"]
                weak = row.get("weak", "") or ("1" if row["kind"] in WEAK_SINGLE_WORD_KINDS and " " not in key
                                                 or len(key) <= 4 and row["kind"] in PATTERN_KINDS else "")
                entries.append((key, row["canonical"], row["inter"], row["country"], row["kind"], weak,
                                alias))
    return entries


def write_outputs() -> None:
    """Write actors.tsv and actors_countries.tsv into the package data directory."""
    entries = build_entries()
    digest = hashlib.sha1(CURATED.read_bytes()).hexdigest()[:12]
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    canon = {e[1] for e in entries
             if e[4] not in ("stop", "anaphor") and "{" not in e[1] and not e[1].startswith("@")}
    patterns = {e[1] for e in entries if "{" in e[1] or e[1].startswith("@")}
    with (OUT_DIR / "actors.tsv").open("w", encoding="utf-8") as f:
        f.write(f"# marsad actor dictionary v{VERSION}; built by build/build_actors.py "
                f"from actors_curated.tsv sha1:{digest}; {len(canon)} named actors, "
                f"{len(patterns)} patterns, {len(entries)} keys\n")
        f.write("key\tcanonical\tinter\tcountry\tkind\tweak\talias\n")
        for e in entries:
            f.write("\t".join(e) + "\n")
    with (OUT_DIR / "actors_countries.tsv").open("w", encoding="utf-8") as f:
        f.write("iso2\tname\tforces_name\tinter\tstems\n")
        for iso2, (name, the, inter, stems, _pl, _names) in NATIONALITIES.items():
            forces = f"the {name}" if the else name
            f.write(f"{iso2}\t{name}\t{forces}\t{inter}\t{'|'.join(normalise_key(s) for s in stems)}\n")
    log.info("wrote %d keys: %d named actors, %d patterns", len(entries), len(canon), len(patterns))


def _corpus_texts() -> Iterable[str]:
    for path in CORPORA:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                yield normalise_key(f"{d.get('title') or ''} {d.get('text') or ''}")


def mine_corpus(out: Path, min_count: int = 10) -> None:
    """Write n-grams after group nouns that the dictionary does not cover, with counts (for review)."""
    from marsad.model import Analysis, Document
    from marsad.recognise.actors import ActorLexicon, find_actors

    heads = {normalise_key(h) for h in ("قوات", "ميليشيا", "ميليشيات", "مليشيات", "جماعة", "تنظيم", "حركة",
                                        "جيش", "لواء", "ألوية", "كتائب", "فصائل", "الجيش", "القوات", "وحدات",
                                        "جبهة", "هيئة", "الشرطة", "طائرات", "مقاتلات")}
    counts: collections.Counter[str] = collections.Counter()
    for text in _corpus_texts():
        toks = re.findall(r"[\u0621-\u064a0-9]+", text)
        for i, w in enumerate(toks):
            if w[:1] in "وفبل" and w[1:] in heads:
                w = w[1:]
            if w in heads:
                for n in (2, 3, 4):
                    counts[" ".join([w, *toks[i + 1:i + n]])] += 1
    lex = ActorLexicon.load()
    with out.open("w", encoding="utf-8") as f:
        for phrase, c in counts.most_common():
            if c < min_count:
                break
            ms = find_actors(Analysis(doc=Document("m", phrase), norm=phrase), lex)
            if any(m.attr("norm_start") == 0 and m.attr("norm_end") == len(phrase) for m in ms):
                continue
            f.write(f"{c}\t{phrase}\t{';'.join(m.value for m in ms)}\n")


_PETR_CODES = {"SYR": "SY", "IRQ": "IQ", "YEM": "YE", "LBY": "LY", "EGY": "EG", "PSE": "PS", "ISR": "IL",
               "LBN": "LB", "SDN": "SD", "SOM": "SO", "AFG": "AF", "TUR": "TR", "IRN": "IR", "SAU": "SA"}


def mine_petrarch(out: Path, min_count: int = 3) -> None:
    """Write PETRARCH entries with MIL/COP/REB/INS codes of our countries found verbatim in the corpus."""
    from marsad.text.automaton import Automaton

    path = SHARED / "dictionaries" / "petrarch_arabic" / "actor_dict_ar_v4.txt"
    cands: dict[str, str] = {}
    phrase = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        codes = re.findall(r"\[([A-Z]{3})(MIL|COP|REB|INS|SPY)", line)
        head = line.split("[")[0].strip()
        if head and not line.startswith("\t"):
            phrase = head
        for iso3, sector in codes:
            if iso3 in _PETR_CODES and phrase:
                words = [w for w in phrase.replace("_", " ").split() if w]
                if len(words) >= 2:
                    for form in (" ".join(words),
                                 " ".join("ال" + w if not w.startswith("ال") else w for w in words)):
                        cands[normalise_key(form)] = f"{_PETR_CODES[iso3]}{sector}"
    auto = Automaton({f" {k} ": k for k in cands})
    counts: collections.Counter[str] = collections.Counter()
    for text in _corpus_texts():
        for _, _, k in auto.find(f" {text} "):
            counts[k] += 1
    with out.open("w", encoding="utf-8") as f:
        for k, c in counts.most_common():
            if c >= min_count:
                f.write(f"{c}\t{k}\t{cands[k]}\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mine-corpus", type=Path, help="write uncovered corpus candidates here (review list)")
    ap.add_argument("--mine-petrarch", type=Path, help="write PETRARCH candidates here (review list)")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(message)s")
    if args.mine_corpus:
        mine_corpus(args.mine_corpus)
    elif args.mine_petrarch:
        mine_petrarch(args.mine_petrarch)
    else:
        write_outputs()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
