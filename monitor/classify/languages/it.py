"""Italian: every word and phrase the classifier knows in Italian."""

from __future__ import annotations

from monitor.classify.languages.pack import LanguagePack

PACK = LanguagePack(
    code="it",
    name="Italian",
    terms={
        "instrument": ("da", "dall['’]", "con", "tramite", "mediante"),
        "relative": ("che", "i quali", "le quali"),
        "material": ("contenuti?", "dati", "opere", "file", "materiali?"),
        "user_agent": ("ti consente di", "consente (?:all['’]utente|agli utenti) di", "puoi "),
        "rule": (r"dev\w+", r"vietat\w+", r"etichett\w+", r"responsab\w+", r"ingann\w+"),
        "ai": (
            "(?-i:IA|AI)", "intelligenza artificiale", "apprendimento (?:automatico|profondo)",
            "machine learning", "modell[oi] (?:linguistic[oi]|di linguaggio|di IA|generativ[oi])",
            "reti neurali",
        ),
        "strong": (r"addestr\w+", r"riaddestr\w+", "allen(?:are|amento)", r"affin\w+"),
        "weak": (
            r"svilupp\w+", "miglior(?:are|amento|iamo|erà|eremo|ando|ano)", r"perfezion\w+", r"ottimizz\w+",
            r"valut\w+",
        ),
        "use": (
            r"utilizz\w+", "us(?:are|iamo|eremo|erà|ato|ata|ati|ate)", r"impieg\w+", r"tratt\w+", r"elabor\w+",
            r"condivid\w+",
        ),
        "subject": (
            "tuoi", "tue", "tua", "tuo", "suoi", "dati", "informazioni", "contenuti?", "post",
            "foto(?:grafie)?", "messaggi", "commenti", "registrazioni", "conversazioni", "domande", "risposte",
            "trascrizioni",
        ),
        "negation": ("non", "mai", "né", r"nessun\w*"),
        "conditional": ("se", "salvo", "vuoi", "desideri"),
        "not_only": ("non solo", "ma non"),
        "prohibition": (
            r"vietat\w+", r"non (?:è|e) consentit\w+", "non (?:puoi|può|potrà|potrai|deve|devi)",
            r"senza (?:\w+ ){0,3}autorizzazione", "nessun diritto", r"proibit\w+",
        ),
        "scrape": (
            r"estra\w+", r"scrap\w+", "terzi", "robot", "mezzi automatizzati", "i nostri (?:contenuti|servizi)",
            "text and data mining",
        ),
        "optout": (
            "opporti", "opporsi", r"oppo\w+", "opposizione", r"rifiut\w+", "non vuoi", "revocare il consenso",
        ),
        "feature": (
            r"assistente\w*", "chatbot", r"funzion\w+", r"strument\w+", r"riass\w+", r"riepilog\w+",
            r"tradu\w+", r"suggeri\w+", "genera(?:re|to|ta|ti|te|no)", r"elabor\w+", r"bozz\w+",
        ),
        "generated": (
            r"generat\w+ (?:dall['’]|con l['’]|tramite )?(?:IA|intelligenza artificiale)",
            "contenuti sintetici", "deepfake",
        ),
        "effective": (
            "dal", "dall['’]", "a partire dal", "a decorrere dal", "con effetto dal", "in vigore dal",
            "entra(?:no|rà|nno)? in vigore il", "valid[oa] dal",
        ),
        "deadline": ("entro il", "entro", "fino al", "non oltre il", "prima del"),
        "updated": ("ultimo aggiornamento:?", "aggiornat[oa] (?:il|al):?", "ultima modifica:?"),
        "announce": ("il",),
    },
    months={
        "gennaio": 1, "febbraio": 2, "marzo": 3, "aprile": 4, "maggio": 5, "giugno": 6, "luglio": 7,
        "agosto": 8, "settembre": 9, "ottobre": 10, "novembre": 11, "dicembre": 12,
    },
    date_order="DMY",
    function_words=("il", "la", "di", "e", "che", "per", "con", "non", "dei", "delle", "gli", "tuoi", "sono"),
    acronyms=("IA",),
    prefilter_stems=("apprendimento", "addestr", "artificial", "model", "intellig", "generat", "neural"),
    date_fillers=("il", "la", "l['’]", "a"),
    update_stems=("aggiorn", "modif"),
    optout_stop_words=("da", "tramite", "nelle", "nella", "nel", "in", "le", "tue", "tuo", "apri", "seleziona"),
    clause_end_words=("se",),
    trailing_verbs=("opporti", "disattivare"),
)
