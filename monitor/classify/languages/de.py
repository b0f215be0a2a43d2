"""German: every word and phrase the classifier knows in German."""

from __future__ import annotations

from monitor.classify.languages.pack import LanguagePack

PACK = LanguagePack(
    code="de",
    name="German",
    terms={
        "instrument": ("durch", "mit", "mithilfe", "per"),
        "relative": ("die", "das", "der", "wir", r"welche\w*", "zu"),
        "material": (r"\w*inhalte?", r"\w*daten", "werke?", "dateien", r"material\w*"),
        "user_agent": ("ermöglicht (?:es )?(?:dir|ihnen)", "(?:kannst du|können sie) "),
        "rule": (
            "müssen", "musst", "verboten", "untersagt", r"kennzeichn\w+", r"verantwort\w+", r"täusch\w+",
            r"irreführ\w+",
        ),
        "ai": (
            "(?-i:KI|AI)", r"(?-i:KI|AI)-\w+", r"\w*(?-i:KI)-\w*", "künstliche[nrs]? intelligenz",
            r"maschinelle[ns]? lernen\w*", r"\w*sprachmodell\w*", r"\w*(?:ki|ai)-?modell\w*",
            r"neuronale\w* netz\w*", r"generative[nr]? (?:ki|modell\w*)",
        ),
        "strong": (r"trainier\w*", r"\w*training\w*", r"feinabstimm\w*", r"anlern\w*", r"antrainier\w*"),
        "weak": (r"entwickl\w+", r"weiterentwickl\w+", r"verbesser\w+", r"optimier\w+", r"bewert\w+"),
        "use": (
            r"verwend\w+", r"nutz\w+", r"benutz\w+", r"verarbeit\w+", "fließen", "einbezogen", "genutzt",
            r"weitergeb\w+",
        ),
        "subject": (
            "deine?[mnrs]?", "ihre?[mnrs]?", r"\w*daten", "informationen", r"\w*inhalte?", r"\w*beiträge?",
            "fotos?", r"\w*nachrichten", "kommentare?", "gespräche?", r"\w*berichte", r"\w*bewertungen",
            "aufnahmen", "texte?", "eingaben", "fragen",
        ),
        "negation": ("nicht", r"kein\w*", "nie", "niemals", "weder"),
        "conditional": ("wenn", "falls", "sofern", "möchtest", "möchten"),
        "not_only": ("nicht nur", "aber nicht"),
        "prohibition": (
            "untersagt", "verboten", "nicht (?:gestattet|erlaubt|zulässig)", "unzulässig",
            r"(?:dürfen|darfst|darf)\s+(?:\w+\s+){0,4}(?:nicht|keine)",
            r"ohne (?:\w+ ){0,3}(?:genehmigung|zustimmung|erlaubnis)", "kein recht",
            r"verpflichte\w+ sich,? (?:\w+ ){0,3}nicht",
        ),
        "scrape": (
            r"scrap\w+", r"crawl\w+", r"ausles\w+", r"extrahier\w+", r"dritte\w*", r"automatisiert\w*",
            "text- und data-mining", "data-mining", "unsere[rn]? (?:inhalte|dienste|plattform|website)",
        ),
        "optout": (
            r"widersprech\w+", r"widersprich\w*", r"widerspruch\w*", "opt-?out", r"ablehn\w+",
            r"einwilligung widerruf\w+", "nicht möchtest", "nicht möchten",
        ),
        "feature": (
            r"assistent\w*", "chatbot", r"funktion\w*", r"werkzeug\w*", r"tool\w*", r"zusammenfass\w+",
            r"übersetz\w+", r"empfehl\w+", r"generier\w+", r"verarbeit\w+", "vorschläge?", r"formulier\w+",
        ),
        "generated": (
            r"ki-generiert\w*", r"(?:von|mit|durch) (?:einer )?ki (?:erstellt|generiert)\w*",
            r"synthetische\w* (?:inhalte|medien)", "deepfakes?",
        ),
        "effective": (
            "ab dem", "ab", "mit wirkung (?:zum|vom|ab)", "gültig ab", "wirksam ab", "in kraft (?:ab|seit)",
            "tritt am", "treten am", "beginnend (?:mit dem|am)", "seit dem", "vom", "gilt ab", "gelten ab",
            "gültig seit",
        ),
        "deadline": ("bis zum", "bis", "spätestens (?:am|bis zum)?", "vor dem", "bis einschließlich"),
        "updated": (
            "stand:?", "zuletzt (?:aktualisiert|geändert)(?: am)?:?", "letzte aktualisierung:?",
            "aktualisiert am:?", "fassung vom",
        ),
        "announce": ("am",),
    },
    months={
        "januar": 1, "jänner": 1, "februar": 2, "märz": 3, "maerz": 3, "april": 4, "mai": 5, "juni": 6,
        "juli": 7, "august": 8, "september": 9, "oktober": 10, "november": 11, "dezember": 12,
    },
    date_order="DMY",
    function_words=("der", "die", "das", "und", "wir", "sie", "ist", "nicht", "mit", "für", "von", "den", "zu"),
    acronyms=("KI",),
    prefilter_stems=("lernen", "künstlich", "generier", "sprachmodell", "model", "train", "intellig", "neuron"),
    date_fillers=("den", "dem", "der", "am"),
    update_stems=("aktualis", "änder"),
    optout_stop_words=(
        "unter", "über", "bei", "im", "in", "deinen", "deine", "dein", "ihren", "ihre", "ihr", "den", "die",
        "der", "dem", "öffne", "wähle",
    ),
    clause_end_words=("wenn", "falls", "dann", "jederzeit"),
    trailing_verbs=(
        "widersprechen", "widersprichst", "ausschalten", "abschalten", "deaktivieren", "ändern", "anpassen",
        "festlegen", "einstellen", "verwalten", "ablehnen", "aus",
    ),
)
