"""Dutch: every word and phrase the classifier knows in Dutch."""

from __future__ import annotations

from monitor.classify.languages.pack import LanguagePack

PACK = LanguagePack(
    code="nl",
    name="Dutch",
    terms={
        "instrument": ("door", "met", "via"),
        "relative": ("die", "dat", "wij", "we", "te"),
        "material": ("inhoud", "gegevens", "data", "werken", "bestanden", "materiaal"),
        "user_agent": ("stelt (?:je|u) in staat", "(?:kun|kan) (?:je|u) "),
        "rule": (r"moet\w*", "verboden", r"label\w*", r"verantwoordelijk\w*", r"misleid\w+"),
        "ai": (
            "(?-i:AI|KI)", r"(?-i:AI|KI)-\w+", "kunstmatige intelligentie", "machine learning",
            r"\w*taalmodel\w*", r"\w*herkenningsmodel\w*", "neurale netwerken",
        ),
        "strong": (r"train(?:en|t|de|den|ing)\w*", "getraind", r"\w*training", r"fijnafstem\w*"),
        "weak": (r"ontwikkel\w+", r"verbeter\w+", r"optimalise\w+", r"evalue\w+"),
        "use": (r"gebruik\w*", r"verwerk\w+", r"inzet\w*", "del(?:en|ven)"),
        "subject": (
            "je", "jouw", "uw", "gegevens", "data", "inhoud", "berichten", "bijdragen", "foto's", "reacties",
            "gesprekken", r"\w*bestanden", "transcripties", "routes", "beoordelingen", "vragen", "feedback",
        ),
        "negation": ("niet", "geen", "nooit", "noch"),
        "conditional": ("als", "indien", "tenzij", "wil"),
        "not_only": ("niet alleen", "maar niet"),
        "prohibition": (
            "niet toegestaan", "verboden", r"(?:mag|mogen|mag je|mag u)\s+(?:\w+\s+){0,4}niet",
            r"zonder (?:\w+ ){0,3}toestemming", "geen recht",
        ),
        "scrape": (
            r"scrap\w+", r"crawl\w+", r"extraher\w+", "derden", "geautomatiseerde",
            "(?:ons|onze) (?:platform|inhoud|diensten|website)",
        ),
        "optout": (
            "bezwaar", r"afmeld\w+", r"weiger\w+", "niet wilt", "wil je niet", "toestemming intrekken",
            "opt-?out",
        ),
        "feature": (
            r"assistent\w*", r"\w*coach", "chatbot", r"functie\w*", r"tool\w*", r"samenvat\w+", r"vertal\w+",
            r"aanbeveling\w*", r"gegenereerd\w*", r"genereer\w*", r"verwerk\w+", "vragen stellen",
            r"beantwoord\w+",
        ),
        "generated": (
            r"(?:door )?(?:AI|kunstmatige intelligentie) gegenereerd\w*", r"AI-gegenereerd\w*",
            "synthetische (?:inhoud|media)", "deepfakes?",
        ),
        "effective": (
            "vanaf", "met ingang van", "ingaande", "van kracht (?:vanaf|per|op)", "geldig vanaf", "per",
            "gaat in op", "in werking (?:op|per)",
        ),
        "deadline": ("tot en met", "tot", "uiterlijk(?: op)?", "vóór"),
        "updated": ("laatst bijgewerkt(?: op)?:?", "bijgewerkt op:?", "laatste wijziging:?", "versie van"),
        "announce": ("op",),
    },
    months={
        "januari": 1, "februari": 2, "maart": 3, "april": 4, "mei": 5, "juni": 6, "juli": 7, "augustus": 8,
        "september": 9, "oktober": 10, "november": 11, "december": 12,
    },
    date_order="DMY",
    function_words=("de", "het", "een", "en", "van", "je", "wij", "we", "niet", "voor", "met", "zijn", "om"),
    acronyms=("AI",),
    prefilter_stems=("trein", "train", "gegenereerd", "kunstmatig", "taalmodel", "model", "intellig"),
    date_fillers=("de", "op"),
    update_stems=("wijzig",),
    optout_stop_words=("op", "via", "onder", "je", "jouw", "uw", "de", "het", "in", "kies"),
    clause_end_words=("als",),
    trailing_verbs=("uitschakelen",),
)
