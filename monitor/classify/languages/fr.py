"""French: every word and phrase the classifier knows in French."""

from __future__ import annotations

from monitor.classify.languages.pack import LanguagePack

PACK = LanguagePack(
    code="fr",
    name="French",
    terms={
        "instrument": ("par", "avec", "grâce à", "via"),
        "relative": ("que", "qu['’]", "nous", "qui"),
        "material": ("contenus?", "données", "œuvres?", "fichiers?", "matériels?"),
        "user_agent": ("vous permet(?:tre|tent)? d['’e]", "vous pouvez "),
        "rule": (
            "doi(?:t|vent)", "devez", r"interdit\w*", r"responsab\w+", r"tromp\w+", "induisant en erreur",
            r"étiquet\w+", r"signal\w+", "vérifier", r"monétis\w+",
        ),
        "ai": (
            "(?-i:IA|IAG)", r"(?-i:IA)-\w+", "intelligences? artificielles?",
            "apprentissage (?:automatique|profond)",
            "mod[eè]les? (?:de langage|linguistiques?|d'IA|d’IA|génératifs?|d'apprentissage|d’apprentis"
            "sage|de fondation)",
            "grands? mod[eè]les? de langage", "réseaux de neurones", "agents? conversationnels?",
        ),
        "strong": (r"entra[iî]n\w*", "r?entra[iî]nement", "form(?:er|ons|ent|é|ée|és|ées|ation)", r"affin\w+"),
        "weak": (
            r"développ\w+", r"developp\w+", r"amélior\w+", r"perfectionn\w+", r"optimis\w+", r"enrichi\w*",
            "concevoir", r"évalu\w+",
        ),
        "use": (r"utilis\w+", r"exploit\w+", r"trait\w+", r"collect\w+", r"partag\w+", "recours"),
        "subject": (
            "vos", "votre", "données", "informations?", "contenus?", "publications?", "messages?",
            "conversations?", "échanges?", "photos?", "commentaires?", "enregistrements?", "transcriptions?",
            "avis", "requêtes", "questions?", "réponses?",
        ),
        "negation": ("ne", "n'", "n’", "pas", "jamais", r"aucun\w*", "ni", "non"),
        "conditional": ("si", "s'", "s’", "sauf", "souhaitez", "préférez"),
        "not_only": ("non seulement", "pas seulement", "mais pas", "ne .{0,20} que"),
        "prohibition": (
            "(?:vous|l'utilisateur|l’utilisateur|le client|les tiers|un tiers|aucun tiers|les utilisate"
            r"urs)\s+ne\s+(?:\w+\s+){0,2}(?:pouvez|peut|peuvent|devez|doit|doivent|pourrez|pourra|devrez"
            "|devra)",
            r"interdi\w+", "s'interdit", "s’interdit", "s'engage à ne pas", "s’engage à ne pas",
            "n'est pas (?:autorisée?|permise?)", "n’est pas (?:autorisée?|permise?)", "aucun droit",
            r"sans (?:\w+ ){0,3}autorisation", "(?-i:Ne pas)", r"abus\w*", "non autorisée?s?",
            "ne concédons aucun",
        ),
        "scrape": (
            r"extra\w+", r"aspir\w+", r"moissonn\w+", r"scrap\w+", "robots?", "tiers",
            "fouille de (?:textes et de )?données", "moyens automatisés",
            "nos (?:services|contenus|sites?|plateformes?)", "(?:nos|des|les) services",
        ),
        "optout": (
            "(?:vous |s['’])?(?:y )?oppos(?:er|ez|ant|ons|erez|era|e|é)", "opposition", "refus(?:er|ez|ant)",
            "retirer votre consentement", "ne souhaitez pas", "opt-?out",
        ),
        "feature": (
            r"assistant\w*", "chatbot", "agent conversationnel", "fonctionnalités?", "outils?",
            "fonctionnant avec", "basées? sur l['’]IA", "alimentée?s? par", r"résum\w+", r"tradu\w+",
            r"recommand\w+", r"génère\w*", "générer", "générée?s?", r"trait\w+",
        ),
        "generated": (
            "(?:contenus? )?générée?s? par (?:l['’])?(?:IA|intelligence artificielle)", "contenus? d['’]IA",
            "hypertrucage", "deep ?fakes?", "contenus? synthétiques?",
        ),
        "effective": (
            "à compter du", "à compter de", "a compter du", "à partir du", "à partir de", "dès le",
            "en vigueur (?:le|au|à compter du|à partir du|dès le|depuis le)",
            "entre(?:nt|ra|ront)? en vigueur (?:le|au|à compter du|à partir du)",
            r"date d['’]entrée en vigueur\s*:?", r"entrée en vigueur\s*:?", "effecti(?:f|ve) depuis le",
            "applicables? (?:à compter du|à partir du|au|dès le)",
        ),
        "deadline": (
            "jusqu['’]au", "jusqu['’]à", "au plus tard le", "d['’]ici le", "d['’]ici au", "avant le", "avant",
            "délai jusqu['’]au",
        ),
        "updated": (
            "(?:dernière )?mise à jour(?: le| :|:)?", "mis(?:e)? à jour le", "modifiée? le",
            "dernière modification(?: le| :|:)?", "version du",
        ),
        "announce": ("le",),
    },
    months={
        "janvier": 1, "février": 2, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7,
        "août": 8, "aout": 8, "septembre": 9, "octobre": 10, "novembre": 11, "décembre": 12, "decembre": 12,
    },
    date_order="DMY",
    function_words=("le", "la", "les", "des", "et", "vous", "nous", "est", "pour", "une", "dans", "du", "que"),
    acronyms=("IA",),
    prefilter_stems=(
        "intellig", "apprentissage", "modèle", "modèl", "entraîn", "entrain", "génér", "neuron", "artificiel",
        "former", "formation", "formé",
    ),
    date_fillers=("de", "le", "la", "l['’]"),
    update_stems=("modif", "mett"),
    optout_stop_words=(
        "dans", "depuis", "via", "sous", "sur", "en", "vos", "votre", "les", "la", "le", "l'", "des", "du",
        "de", "à", "au", "aux", "ouvrez", "choisissez",
    ),
    clause_end_words=("si", "puis", "sauf", "à tout moment"),
    trailing_verbs=(),
)
