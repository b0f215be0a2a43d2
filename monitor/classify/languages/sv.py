"""Swedish: every word and phrase the classifier knows in Swedish."""

from __future__ import annotations

from monitor.classify.languages.pack import LanguagePack

PACK = LanguagePack(
    code="sv",
    name="Swedish",
    terms={
        "instrument": ("av", "med", "via"),
        "relative": ("som", "vi"),
        "material": (r"innehåll\w*", "data", "uppgifter", "verk", "filer", "material"),
        "user_agent": ("låter dig", "gör det möjligt för dig att", "du kan "),
        "rule": ("måste", "ska", r"förbjud\w+", r"märk\w+", r"ansvar\w*", r"vilseled\w+"),
        "ai": (
            "(?-i:AI)", r"(?-i:AI)-\w+", "artificiell intelligens", r"maskininlärning\w*", r"\w*språkmodell\w*",
            "neurala nätverk",
        ),
        "strong": (r"trän\w+", r"\w*träning\w*", r"finjuster\w*"),
        "weak": (r"utveckl\w+", r"förbättr\w+", r"optimer\w+", r"utvärder\w+"),
        "use": (r"använd\w*", r"nyttj\w+", r"behandl\w+", r"bearbeta\w*", r"dela\w*"),
        "subject": (
            "din", "ditt", "dina", "uppgifter", "data", r"innehåll\w*", "inlägg", "bilder", "foton",
            "meddelanden", "kommentarer", r"konversationer\w*", "transkriptioner", "mönster", "frågor",
        ),
        "negation": ("inte", "aldrig", "ej", "ingen", "inget", "inga", "varken"),
        "conditional": ("om", "såvida", "vill"),
        "not_only": ("inte bara", "inte endast", "men inte"),
        "prohibition": (
            r"förbjud\w+", "inte tillåtet", r"otillåt\w+", r"får (?:\w+ ){0,3}inte",
            r"utan (?:\w+ ){0,3}(?:tillstånd|medgivande|samtycke)", "ingen rätt",
        ),
        "scrape": (
            r"skrap\w+", r"scrap\w+", r"tredje part\w*", r"extraher\w+", "automatiserade",
            "vår(?:t|a)? (?:innehåll|tjänster|plattform)",
        ),
        "optout": (
            r"invänd\w*", r"invändning\w*", r"motsätt\w+", r"avböj\w*", "inte vill",
            "återkalla (?:ditt )?samtycke", "opt-?out",
        ),
        "feature": (
            r"assistent\w*", r"\w*assistenten", r"chattbot\w*", "chatbot", r"funktion\w*", r"verktyg\w*",
            r"sammanfatt\w+", r"översätt\w+", r"rekommend\w+", r"generer\w+", "tolkar", "förslag",
        ),
        "generated": (
            r"AI-genererad\w*", r"genererad\w* (?:av|med) (?:AI|artificiell intelligens)",
            "syntetiskt innehåll", "deepfakes?",
        ),
        "effective": (
            "från och med(?: den)?", r"fr\.?o\.?m\.?(?: den)?", "från(?: den)?",
            "gäller från(?: och med)?(?: den)?", r"gäller fr\.?o\.?m\.?", "träder i kraft(?: den)?",
            "med verkan från(?: den)?",
        ),
        "deadline": (
            "senast(?: den)?", "till och med(?: den)?", r"t\.?o\.?m\.?(?: den)?", "fram till(?: den)?",
            "innan(?: den)?", "före(?: den)?",
        ),
        "updated": ("senast (?:uppdaterad|ändrad)(?: den)?:?", "uppdaterad(?: den)?:?"),
        "announce": ("den",),
    },
    months={
        "januari": 1, "februari": 2, "mars": 3, "april": 4, "maj": 5, "juni": 6, "juli": 7, "augusti": 8,
        "september": 9, "oktober": 10, "november": 11, "december": 12,
    },
    date_order="DMY",
    function_words=("och", "att", "det", "som", "en", "på", "är", "av", "för", "med", "inte", "vi", "du"),
    acronyms=("AI",),
    prefilter_stems=("inlärning", "trän", "språkmodell", "model", "intellig", "artificiell"),
    date_fillers=("den",),
    update_stems=("uppdater",),
    optout_stop_words=("under", "via", "på", "dina", "din", "ditt", "gå", "till", "öppna", "i"),
    clause_end_words=("om",),
    trailing_verbs=("stänga av", "invända"),
)
